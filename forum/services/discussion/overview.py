"""Read models for the front page: focus areas with their active topics, latest activity."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import defaultload, lazyload

from forum.extensions import db
from forum.models.discussion import FocusArea, Post, PostStatus, Thread, Topic, TopicStatus
from forum.permissions.archives import visible_threads_clause
from forum.permissions.core import plain_user
from forum.services.discussion import counts

TOPICS_PER_AREA = 5
LATEST_THREADS = 10


def front_page(viewer) -> dict:
    """The focus areas in order, each with its active topics (featured and pinned first, then
    by activity), and the threads with the latest activity the viewer may see. A fixed
    number of queries."""
    viewer = plain_user(viewer)
    areas = list(db.session.scalars(select(FocusArea).order_by(FocusArea.position)))
    order = (Topic.featured.desc(), Topic.pinned.desc(), Topic.last_activity_at.desc())
    ranked = select(Topic.id, func.row_number().over(
        partition_by=Topic.focus_area_id, order_by=order).label("rank")).where(
        Topic.status != TopicStatus.ARCHIVED).subquery()
    topics_by_area: dict[int, list[Topic]] = {area.id: [] for area in areas}
    for topic in db.session.scalars(
            select(Topic).join(ranked, ranked.c.id == Topic.id)
            .where(ranked.c.rank <= TOPICS_PER_AREA).order_by(*order)
            .options(lazyload(Topic.tags))):
        topics_by_area.setdefault(topic.focus_area_id, []).append(topic)
    shown = [t for topics in topics_by_area.values() for t in topics]
    return {"areas": areas, "topics_by_area": topics_by_area,
            "counts": counts.shown_counts(viewer, shown), "latest": latest_threads(viewer)}


def latest_threads(viewer, limit: int = LATEST_THREADS) -> list[Thread]:
    """Visible threads by last activity (walks the activity index, stops at `limit`)."""
    return list(db.session.scalars(
        select(Thread).where(Thread.hidden_at.is_(None), Thread.merged_into_id.is_(None),
                             Thread.post_count > 0, visible_threads_clause(viewer))
        .order_by(Thread.last_activity_at.desc()).limit(limit)
        .options(defaultload(Thread.topic).lazyload(Topic.tags))))


def recent_activity(member, viewer, limit: int = 10) -> list:
    """The member's latest posts that `viewer` may see."""
    rows = db.session.scalars(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.author_id == member.id, Post.status == PostStatus.PUBLISHED,
               Post.hidden_at.is_(None), Post.deleted_at.is_(None), Thread.hidden_at.is_(None),
               Thread.merged_into_id.is_(None), visible_threads_clause(plain_user(viewer)))
        .order_by(Post.id.desc()).limit(limit))
    return list(rows)
