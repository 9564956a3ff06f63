"""Sanctions on members: warnings and suspensions (until a date or until lifted).
A suspended member may read but not take part; the reason is shown to them."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import Suspension, User
from forum.models.base import utcnow
from forum.models.discussion import Post, Thread
from forum.models.moderation import ModerationAction
from forum.permissions import Action, require
from forum.permissions.core import active_suspension, forget_cached_facts, is_global_moderator
from forum.permissions.discussion import area_of
from forum.services import accounts, notifications
from forum.services.live import sockets
from forum.services.moderation import modlog
from forum.services.moderation.targets import clean_reason


def _record(actor: User, action: str, member: User, reason: str, context: Post | Thread | None,
            **details) -> ModerationAction:
    if context is not None:
        details[f"{'post' if isinstance(context, Post) else 'thread'}"] = context.id
    entry = modlog.record(actor, action, "user", member.id, reason=reason,
                          focus_area_id=area_of(context) if context is not None else None,
                          subject_user_id=member.id, details=details)
    db.session.flush()
    return entry


def warn_in_transaction(actor: User, context: Post | Thread, reason: str) -> ModerationAction:
    """A written warning to the author of `context` (no commit: part of a queue decision)."""
    entry = _record(actor, "warn_member", context.author, reason, context)
    notifications.notify(context.author_id, "warning",
                         {"reason": reason, "action_id": entry.id}, actor_id=actor.id)
    return entry


def suspend_in_transaction(actor: User, member: User, reason: str, until: datetime | None,
                           context: Post | Thread | None = None) -> Suspension:
    """Suspend `member` until `until` (None: until lifted). No commit."""
    require(actor, Action.SUSPEND, context if context is not None else member)
    if until is not None and until <= utcnow():
        raise InvalidInput({"until": _("The end of a suspension must be in the future.")})
    if active_suspension(member) is not None:
        raise Conflict(_("This member is already suspended."))
    suspension = Suspension(user_id=member.id, reason=reason, ends_at=until,
                            created_by_id=actor.id)
    db.session.add(suspension)
    entry = _record(actor, "suspend_member", member, reason, context,
                    until=until.isoformat() if until else None)
    notifications.notify(member.id, "suspension", {"reason": reason, "action_id": entry.id},
                         actor_id=actor.id)
    forget_cached_facts()
    return suspension


def suspend(actor: User, member_id: int, reason: str, until: datetime | None = None) -> Suspension:
    """Global moderators suspend a member from the profile; moderators of an area do it from
    the review queue. Moderators are suspended only by admins."""
    member = accounts.get_user(member_id)
    suspension = suspend_in_transaction(actor, member, clean_reason(reason), until)
    db.session.commit()
    sockets.close(member.id)  # the member's live sockets close at once, in every process
    return suspension


def lift(actor: User, suspension_id: int, reason: str = "", *, via_appeal: bool = False) -> None:
    """Global moderators, or the moderator who suspended, lift a suspension; it is logged."""
    suspension = db.session.get(Suspension, suspension_id)
    if suspension is None:
        raise NotFound(_("There is no such suspension."))
    if not via_appeal and not (is_global_moderator(actor)
                               or suspension.created_by_id == actor.id):
        require(actor, Action.SUSPEND, suspension.user)
    if suspension.lifted_at is not None:
        raise Conflict(_("This suspension has already been lifted."))
    suspension.lifted_at, suspension.lifted_by_id = utcnow(), actor.id
    _record(actor, "lift_suspension", suspension.user, clean_reason(reason, required=False),
            None, suspension=suspension.id)
    notifications.notify(suspension.user_id, "suspension_lifted",
                         {"suspension_id": suspension.id}, actor_id=actor.id)
    forget_cached_facts()
    if not via_appeal:
        db.session.commit()


def active_suspensions(actor: User) -> list[Suspension]:
    """Suspensions in force now, for moderators."""
    require(actor, Action.VIEW_QUEUE)
    rows = db.session.scalars(select(Suspension).where(Suspension.lifted_at.is_(None))
                              .order_by(Suspension.id.desc()))
    now = utcnow()
    return [s for s in rows if s.is_active_at(now)]


def suspension_of(member: User) -> Suspension | None:
    return active_suspension(member)
