"""What a public feed may carry: the posts and threads an anonymous reader may see.

The SQL narrows the rows (published, not hidden, not deleted, in a visible thread that is not
the archive of a members-only or invite-only live session); each row is then asked of the
permission rules as an anonymous reader, so a rule added later also binds the feeds."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from forum.extensions import db, login_manager
from forum.models.discussion import Post, PostStatus, Thread, Topic
from forum.permissions import Action, can
from forum.permissions.archives import visible_threads_clause

ENTRIES = 30  # entries per feed


def reader():
    """Nobody signed in: the only reader a public feed is written for."""
    return login_manager.anonymous_user()


def public_thread(thread: Thread) -> bool:
    """May the thread (and so its feed) be offered to everyone? (The rule also keeps out the
    archive of a session that was not public.)"""
    return can(reader(), Action.VIEW_THREAD, thread) and thread.post_count > 0


def _posts() -> Select:
    return (select(Post)
            .join(Thread, Post.thread_id == Thread.id).join(Topic, Thread.topic_id == Topic.id)
            .options(contains_eager(Post.thread).contains_eager(Thread.topic))
            .where(Post.status == PostStatus.PUBLISHED, Post.position.is_not(None),
                   Post.hidden_at.is_(None), Post.deleted_at.is_(None),
                   Thread.hidden_at.is_(None), Thread.merged_into_id.is_(None),
                   Thread.post_count > 0, visible_threads_clause(reader()))
            .order_by(Post.id.desc()).limit(ENTRIES))


def latest_posts(*, area_id: int | None = None, topic_id: int | None = None,
                 thread_id: int | None = None) -> list[Post]:
    """The newest public posts of the forum, or of one focus area, topic or thread."""
    stmt = _posts()
    if area_id is not None:
        stmt = stmt.where(Topic.focus_area_id == area_id)
    if topic_id is not None:
        stmt = stmt.where(Thread.topic_id == topic_id)
    if thread_id is not None:
        stmt = stmt.where(Post.thread_id == thread_id)
    anyone = reader()
    return [p for p in db.session.scalars(stmt).unique()
            if can(anyone, Action.VIEW_THREAD, p.thread) and can(anyone, Action.VIEW_POST, p)
            and can(anyone, Action.VIEW_HIDDEN_TEXT, p)]
