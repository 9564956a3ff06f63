"""Proposals and rounds hang off a thread or a live session; these list the ones a reader
may see (the thread's own and those of the session it is the archive of), and find the thread
where one is discussed."""
from __future__ import annotations

from sqlalchemy import or_, select

from forum.extensions import db
from forum.models.discussion import Thread
from forum.models.live import LiveSession
from forum.permissions import Action, can
from forum.permissions.core import plain_user


def _visible(viewer, action: Action, query) -> list:
    viewer = plain_user(viewer)
    return [item for item in db.session.scalars(query).all() if can(viewer, action, item)]


def in_thread(viewer, model, action: Action, thread: Thread) -> list:
    """Newest first."""
    archived = select(LiveSession.id).where(LiveSession.archive_thread_id == thread.id)
    return _visible(viewer, action, select(model).where(or_(
        model.thread_id == thread.id, model.live_session_id.in_(archived)))
        .order_by(model.id.desc()))


def in_session(viewer, model, action: Action, session: LiveSession) -> list:
    """Oldest first, as they were opened in the room."""
    return _visible(viewer, action, select(model).where(model.live_session_id == session.id)
                    .order_by(model.id))


def thread_of(item) -> Thread | None:
    """Where a proposal or round is discussed: its thread, or its session's archive thread."""
    if item.thread_id is not None:
        return item.thread
    session = item.live_session
    if session is not None and session.archive_thread_id is not None:
        return db.session.get(Thread, session.archive_thread_id)
    return None
