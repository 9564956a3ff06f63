"""In-app notifications. Does not commit: callers add them inside their own transaction."""
from __future__ import annotations

from forum.extensions import db
from forum.models.moderation import Notification


def notify(user_id: int, kind: str, message: str, link: str | None = None) -> Notification:
    note = Notification(user_id=user_id, kind=kind, message=message, link=link)
    db.session.add(note)
    return note
