"""`forum seed --demo` fills the review queue and the public log."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.models.discussion import Post, PostStatus
from forum.models.moderation import Flag, ModerationAction


def test_demo_has_open_flags_log_entries_and_a_pending_post(demo_forum, db):
    open_flags = db.session.scalar(select(func.count(Flag.id)).where(Flag.resolved_at.is_(None)))
    assert open_flags >= 3
    assert db.session.scalar(select(func.count(ModerationAction.id))) >= 3
    assert db.session.scalar(select(Post.id).where(Post.status == PostStatus.PENDING))
