"""In-app notifications. `notify` does not commit: callers add notes inside their own
transaction. Reading and marking read are for the member's own notices."""
from __future__ import annotations

from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.moderation import Notification


def notify(user_id: int, kind: str, message: str, link: str | None = None) -> Notification:
    note = Notification(user_id=user_id, kind=kind, message=message, link=link)
    db.session.add(note)
    return note


def latest_for(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def before(user: User, before_id: int | None, limit: int) -> list[Notification]:
    """The member's notices, newest first, older than `before_id` (limit + 1 at most)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_all_read(user: User) -> None:
    """The member has seen their notices."""
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
