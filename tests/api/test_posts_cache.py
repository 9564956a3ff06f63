"""The posts list is built from cached JSON of each post's public part: it must read exactly as
the Post schema's own dump, before and after every change that alters a post or its author."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum import fragments
from forum.blueprints.api.schemas import discussion as s
from forum.extensions import db
from forum.models.base import utcnow
from forum.models.discussion import Post
from forum.services.discussion import listing, posting
from forum.services.moderation import review
from tests import factories


def _expected(app, viewer, thread_id: int) -> list[dict]:
    with app.test_request_context(base_url="http://localhost"):
        _thread, rows, waiting = listing.posts(viewer, thread_id, 0, 100)
        shown = [p for p in rows if listing.visible_post(viewer, p)] + waiting
        return [s.Post().dump(item) for item in listing.as_listed(viewer, shown)]


def _listed(api, thread_id: int, token=None) -> list[dict]:
    response = api("GET", f"/api/v1/threads/{thread_id}/posts?limit=100", token)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.data)["items"]


@pytest.fixture
def anonymous(app):
    return app.login_manager.anonymous_user()


def test_the_list_reads_as_the_schema_dumps_it(app, api, world, anonymous):
    first = _listed(api, world.thread.id)
    assert first == _expected(app, anonymous, world.thread.id)
    assert _listed(api, world.thread.id) == first  # now from the cache
    assert len(fragments.cache()) >= 3


def _second_post(world) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == world.thread.id,
                                                Post.position == 2))


@pytest.mark.parametrize("change", ["edit", "hide", "delete", "react", "rename", "verify",
                                    "reply"])
def test_a_change_shows_at_once(app, api, world, anonymous, token_for, change):
    _listed(api, world.thread.id)  # fill the cache
    post = _second_post(world)
    author = db.session.get(type(world.author), post.author_id)
    if change == "edit":
        posting.edit_post(author, post.id, "Ny text", None)
    elif change == "hide":
        review.hide(factories.make_moderator(), "post", post.id, "Reklam")
    elif change == "delete":
        posting.delete_post(author, post.id)
    elif change == "react":
        posting.react(world.other, post.id, "agree", on=True)
    elif change == "rename":
        author.display_name = "Nytt Namn"
        db.session.commit()
    elif change == "verify":
        author.verified_at = None if author.verified_at else utcnow()
        db.session.commit()
    else:
        posting.reply(world.other, world.thread.id, "Ett svar", parent_id=post.id)
    db.session.expire_all()
    assert _listed(api, world.thread.id) == _expected(app, anonymous, world.thread.id)
    token = token_for(world.other, "read")
    listed = _listed(api, world.thread.id, token)
    assert listed == _expected(app, world.other, world.thread.id)
    if change == "react":
        mine = next(p for p in listed if p["id"] == post.id)
        assert mine["my_reactions"] == ["agree"] and mine["reactions"]["agree"] == 1


def test_a_moderator_reads_a_hidden_post_that_a_visitor_does_not(app, api, world, anonymous,
                                                                 token_for):
    post = _second_post(world)
    mod = factories.make_moderator()
    review.hide(mod, "post", post.id, "Reklam")
    visitor = next(p for p in _listed(api, world.thread.id) if p["id"] == post.id)
    moderator = next(p for p in _listed(api, world.thread.id, token_for(mod, "read"))
                     if p["id"] == post.id)
    assert visitor["body"] is None and moderator["body"] is not None


def test_without_the_cache_the_list_is_the_same(app, api, world, anonymous):
    cached = _listed(api, world.thread.id)
    app.extensions["forum.fragments"] = fragments.FragmentCache(0)
    assert _listed(api, world.thread.id) == cached
