"""The controls the thread pages include: what each kind of user is offered."""
from __future__ import annotations

from forum.services.moderation import review
from tests import factories


def _page(client, thread):
    return client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)


def test_member_is_offered_flags_not_moderation(client, login, thread, post):
    login(factories.make_user())
    body = _page(client, thread)
    assert f"/moderation/flag/post/{post.id}" in body
    assert f"/moderation/flag/thread/{thread.id}" in body
    assert f"/moderation/post/{post.id}/hide" not in body
    assert f"/moderation/threads/{thread.id}/lock" not in body


def test_moderator_of_the_area_gets_post_and_thread_controls(client, login, moderator, thread,
                                                             post):
    login(moderator)
    body = _page(client, thread)
    for path in (f"/moderation/post/{post.id}/hide", f"/moderation/posts/{post.id}/edit-out",
                 f"/moderation/threads/{thread.id}/lock", f"/moderation/threads/{thread.id}/pin",
                 f"/moderation/threads/{thread.id}/move", f"/moderation/threads/{thread.id}/merge",
                 f"/moderation/thread/{thread.id}/hide"):
        assert path in body


def test_moderator_of_another_area_gets_no_controls(client, login, other_moderator, thread,
                                                    post):
    login(other_moderator)
    body = _page(client, thread)
    assert f"/moderation/post/{post.id}/hide" not in body
    assert f"/moderation/threads/{thread.id}/lock" not in body


def test_author_of_hidden_post_gets_an_appeal_link(client, login, moderator, author, thread,
                                                   post):
    review.hide(moderator, "post", post.id, "Off topic")
    login(author)
    body = _page(client, thread)
    assert f"/moderation/appeal/post/{post.id}" in body
    assert "Off topic" in body


def test_anonymous_gets_no_controls(client, thread, post):
    body = _page(client, thread)
    assert "/moderation/flag/" not in body and "/moderation/post/" not in body
