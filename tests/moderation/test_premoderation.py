"""Pre-moderation: the first posts of new, unverified members wait for approval."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models.discussion import Post, PostStatus, Thread
from forum.models.moderation import Notification
from forum.services import notifications
from forum.services.discussion import policy
from forum.services.moderation import review
from tests import factories


@pytest.fixture
def premoderation(app):
    app.config["PREMODERATION_POSTS"] = 2


def _reply(client, thread, body):
    return client.post(f"/threads/{thread.id}/reply", data={"body": body})


def test_first_posts_of_unverified_member_wait(premoderation, client, login, thread):
    newcomer = login(factories.make_user())
    assert _reply(client, thread, "Hello, first post").status_code == 302
    post = db.session.scalar(select(Post).where(Post.author_id == newcomer.id))
    assert post.status == PostStatus.PENDING
    assert db.session.get(Thread, thread.id).post_count == 3


def test_verified_members_are_not_held(premoderation, thread):
    assert policy.initial_post_status(factories.make_user(verified=True)) == PostStatus.PUBLISHED


def test_members_are_not_held_after_enough_published_posts(premoderation, thread):
    member = factories.make_user()
    factories.make_post(thread, member)
    assert policy.initial_post_status(member) == PostStatus.PENDING
    factories.make_post(thread, member)
    assert policy.initial_post_status(member) == PostStatus.PUBLISHED


def test_author_sees_own_pending_post_and_others_do_not(premoderation, client, login, thread):
    login(factories.make_user())
    _reply(client, thread, "Visible only to me")
    assert "Visible only to me" in client.get(f"/threads/{thread.id}?page=1").get_data(
        as_text=True)
    client.post("/logout")
    assert "Visible only to me" not in client.get(f"/threads/{thread.id}?page=1").get_data(
        as_text=True)


def test_approval_publishes_with_the_original_time(premoderation, moderator, client, login,
                                                    thread):
    newcomer = factories.make_user()
    login(newcomer)
    _reply(client, thread, "Please approve")
    post = db.session.scalar(select(Post).where(Post.author_id == newcomer.id))
    written = post.created_at
    post.created_at = written - timedelta(hours=1)
    db.session.commit()
    client.post("/logout")
    login(moderator)
    assert client.post(f"/moderation/posts/{post.id}/approve").status_code == 302
    db.session.refresh(post)
    assert post.status == PostStatus.PUBLISHED
    assert post.created_at == written - timedelta(hours=1)
    assert db.session.get(Thread, thread.id).post_count == 4


def test_rejection_tells_the_author_why(premoderation, moderator, thread):
    member = factories.make_user()
    post = factories.make_post(thread, member, status=PostStatus.PENDING)
    review.reject(moderator, post.id, "Please stay on the topic")
    db.session.refresh(post)
    assert post.status == PostStatus.REJECTED
    assert post.rejection_reason == "Please stay on the topic"
    note = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert note.kind == "post_rejected"
    assert "Please stay on the topic" in notifications.worded(note, "en").text


def test_pending_posts_are_listed_in_the_queue(premoderation, moderator, client, login, thread):
    post = factories.make_post(thread, factories.make_user(), status=PostStatus.PENDING,
                               body_source="Pending text", body_html="<p>Pending text</p>")
    assert review.pending_posts(moderator) == [post]
    login(moderator)
    assert "Pending text" in client.get("/moderation/queue").get_data(as_text=True)


def _shown(client, thread_id: int, page: int) -> list[str]:
    """The bodies of the posts on one page, in order."""
    html = client.get(f"/threads/{thread_id}?page={page}").get_data(as_text=True)
    return re.findall(r"<p>(Post \d+|Held back|Reply \d+)</p>", html)


def test_a_pending_post_takes_no_place_from_readers_pages(premoderation, moderator, client,
                                                           login, area, author):
    """20 visible posts on every full page for readers who may not see the pending post,
    the same page numbers for everyone, and the post at the end once approved."""
    thread = factories.make_thread(factories.make_topic(area), author, posts=10)
    newcomer = factories.make_user()
    held = factories.make_post(thread, newcomer, status=PostStatus.PENDING,
                               body_source="Held back", body_html="<p>Held back</p>")
    for n in range(11, 26):
        factories.make_post(thread, author, body_source=f"Reply {n}", body_html=f"<p>Reply {n}</p>")
    reader_first, reader_second = _shown(client, thread.id, 1), _shown(client, thread.id, 2)
    assert len(reader_first) == 20 and len(reader_second) == 5
    assert "Held back" not in reader_first + reader_second
    login(newcomer)
    assert _shown(client, thread.id, 1) == reader_first  # the author's pages are the same ...
    assert _shown(client, thread.id, 2) == reader_second + ["Held back"]  # ... and it waits last
    permalink = client.get(f"/p/{held.id}")
    assert permalink.headers["Location"].endswith(f"page=2#post-{held.id}")
    client.post("/logout")
    review.approve(moderator, held.id)
    assert _shown(client, thread.id, 2) == reader_second + ["Held back"]
    assert db.session.get(Post, held.id).position == 26
    assert db.session.get(Thread, thread.id).last_position == 26


def test_moderators_see_every_pending_post_on_the_last_page(premoderation, moderator, client,
                                                             login, area, author):
    thread = factories.make_thread(factories.make_topic(area), author, posts=25)
    factories.make_post(thread, factories.make_user(), status=PostStatus.PENDING,
                        body_source="Held back", body_html="<p>Held back</p>")
    login(moderator)
    assert len(_shown(client, thread.id, 1)) == 20
    assert _shown(client, thread.id, 2)[-1] == "Held back"
    assert len(_shown(client, thread.id, 2)) == 6


def test_a_rejected_post_stays_off_the_readers_pages(premoderation, moderator, client, area,
                                                     author):
    thread = factories.make_thread(factories.make_topic(area), author, posts=19)
    held = factories.make_post(thread, factories.make_user(), status=PostStatus.PENDING,
                               body_source="Held back", body_html="<p>Held back</p>")
    review.reject(moderator, held.id, "Off topic")
    factories.make_post(thread, author, body_source="Reply 20", body_html="<p>Reply 20</p>")
    assert len(_shown(client, thread.id, 1)) == 20
    assert db.session.get(Thread, thread.id).last_position == 20
