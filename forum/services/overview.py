"""Read models for the front page: focus areas with their active topics, latest activity."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.discussion import FocusArea, Thread, Topic, TopicStatus

TOPICS_PER_AREA = 5
LATEST_THREADS = 10


def front_page() -> dict:
    """The focus areas in order, each with its active topics (featured and pinned first, then
    by activity), and the threads with the latest activity. A fixed number of queries."""
    areas = list(db.session.scalars(select(FocusArea).order_by(FocusArea.position)))
    topics_by_area: dict[int, list[Topic]] = {area.id: [] for area in areas}
    for area in areas:
        topics_by_area[area.id] = list(db.session.scalars(
            select(Topic).where(Topic.focus_area_id == area.id,
                                Topic.status != TopicStatus.ARCHIVED)
            .order_by(Topic.featured.desc(), Topic.pinned.desc(), Topic.last_activity_at.desc())
            .limit(TOPICS_PER_AREA)))
    return {"areas": areas, "topics_by_area": topics_by_area, "latest": latest_threads()}


def latest_threads(limit: int = LATEST_THREADS) -> list[Thread]:
    """Visible threads by last activity (walks the activity index, stops at `limit`)."""
    return list(db.session.scalars(
        select(Thread).where(Thread.hidden_at.is_(None), Thread.merged_into_id.is_(None),
                             Thread.post_count > 0)
        .order_by(Thread.last_activity_at.desc()).limit(limit)))


def recent_activity(member, viewer, limit: int = 10) -> list:
    """The member's latest posts that `viewer` may see."""
    from forum.models.discussion import Post, PostStatus

    rows = db.session.scalars(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.author_id == member.id, Post.status == PostStatus.PUBLISHED,
               Post.hidden_at.is_(None), Post.deleted_at.is_(None), Thread.hidden_at.is_(None))
        .order_by(Post.id.desc()).limit(limit))
    return list(rows)
