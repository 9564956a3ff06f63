"""Read models for the front page."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.discussion import FocusArea


def front_page() -> dict:
    """The focus areas in order. The discussion service adds topics and activity."""
    areas = list(db.session.scalars(select(FocusArea).order_by(FocusArea.position)))
    return {"areas": areas, "topics_by_area": {}, "latest": []}


def recent_activity(member, viewer, limit: int = 10) -> list:
    """The member's latest posts that `viewer` may see."""
    from forum.models.discussion import Post, PostStatus, Thread

    rows = db.session.scalars(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.author_id == member.id, Post.status == PostStatus.PUBLISHED,
               Post.hidden_at.is_(None), Post.deleted_at.is_(None), Thread.hidden_at.is_(None))
        .order_by(Post.id.desc()).limit(limit))
    return list(rows)
