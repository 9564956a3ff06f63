"""Writing the public moderation log. Every moderator action, from any feature, goes here."""
from __future__ import annotations

from forum.extensions import db
from forum.models.accounts import User
from forum.models.moderation import ModerationAction


def record(moderator: User | None, action: str, target_type: str, target_id: int, *,
           reason: str = "", focus_area_id: int | None = None,
           subject_user_id: int | None = None, details: dict | None = None) -> ModerationAction:
    """Add one entry to the log. Does not commit: the caller's transaction holds the action
    and its log entry together, so neither exists without the other."""
    entry = ModerationAction(moderator_id=moderator.id if moderator else None, action=action,
                             target_type=target_type, target_id=target_id, reason=reason or "",
                             focus_area_id=focus_area_id, subject_user_id=subject_user_id,
                             details=details or {})
    db.session.add(entry)
    return entry
