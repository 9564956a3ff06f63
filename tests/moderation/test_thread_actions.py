"""Lock, pin, move and merge threads."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.exceptions import Forbidden
from forum.extensions import db
from forum.models.base import utcnow
from forum.models.discussion import Post, Thread
from forum.models.moderation import ModerationAction
from forum.services.moderation import thread_actions
from tests import factories


def test_lock_and_unlock_through_the_page(client, login, moderator, thread):
    login(moderator)
    assert client.post(f"/moderation/threads/{thread.id}/lock",
                       data={"locked": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).locked is True
    client.post(f"/moderation/threads/{thread.id}/lock", data={"locked": "0"})
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).locked is False
    kinds = list(db.session.scalars(select(ModerationAction.action).order_by(
        ModerationAction.id)))
    assert kinds == ["lock_thread", "unlock_thread"]


def test_pin_is_logged(moderator, thread):
    thread_actions.pin(moderator, thread.id, True, "Important")
    assert db.session.get(Thread, thread.id).pinned
    assert db.session.scalar(select(ModerationAction.reason)) == "Important"


def test_move_updates_topic_counts(moderator, area, thread):
    old_topic = thread.topic
    new_topic = factories.make_topic(area)
    thread_actions.move(moderator, thread.id, new_topic.id)
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).topic_id == new_topic.id
    assert new_topic.post_count == 3 and old_topic.post_count == 0


def test_move_needs_both_areas(moderator, thread, other_area):
    elsewhere = factories.make_topic(other_area)
    with pytest.raises(Forbidden):
        thread_actions.move(moderator, thread.id, elsewhere.id)
    assert db.session.get(Thread, thread.id).topic_id != elsewhere.id


def test_merge_keeps_posts_in_time_order(moderator, area, author):
    topic = factories.make_topic(area)
    target = factories.make_thread(topic, author, posts=2)
    source = factories.make_thread(topic, author, posts=2)
    start = utcnow() - timedelta(hours=4)
    # target posts at 0h and 2h; source posts at 1h and 3h
    for thread, hours in ((target, (0, 2)), (source, (1, 3))):
        rows = db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                                  .order_by(Post.position))
        for post, h in zip(rows, hours, strict=True):
            post.created_at = start + timedelta(hours=h)
    db.session.commit()
    thread_actions.merge(moderator, source.id, target.id, "Same question")
    rows = list(db.session.scalars(select(Post).where(Post.thread_id == target.id)
                                   .order_by(Post.position)))
    assert [p.position for p in rows] == [1, 2, 3, 4]
    assert [p.created_at for p in rows] == sorted(p.created_at for p in rows)
    assert db.session.get(Thread, source.id).merged_into_id == target.id
    assert db.session.get(Thread, target.id).post_count == 4
