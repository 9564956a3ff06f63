"""Rules for live sessions: who may see, join, speak in, moderate and manage them."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.live import Invitation, LiveSession, SessionRole, SessionStatus, Visibility
from forum.permissions.core import (
    Action,
    is_member,
    is_moderator,
    may_enter,
    may_take_part,
    moderates_area,
    rule,
)


def _area(target) -> int | None:
    if isinstance(target, LiveSession):
        return target.focus_area_id
    if isinstance(target, int):
        return target
    return getattr(target, "id", None)


def is_session_staff(user, session: LiveSession) -> bool:
    """The session's own moderators and the moderators of its focus area."""
    if not is_member(user):
        return False
    return session.has_role(user.id, SessionRole.MODERATOR) or moderates_area(
        user, session.focus_area_id)


def is_invited(user, session: LiveSession) -> bool:
    if not is_member(user):
        return False
    if session.has_role(user.id) or is_session_staff(user, session):
        return True
    return db.session.get(Invitation, (session.id, user.id)) is not None


@rule(Action.VIEW_LIVE)
def _view(user, session: LiveSession) -> bool:
    if session.visibility == Visibility.PUBLIC:
        return True
    if session.visibility == Visibility.MEMBERS:
        return is_member(user)
    return is_invited(user, session)


@rule(Action.JOIN_LIVE)
def _join(user, session: LiveSession) -> bool:
    """Signed in, not suspended, allowed to see it, and the room is open (staff may enter
    early). Members who have not confirmed their email address may enter and follow it."""
    if not may_enter(user) or not _view(user, session):
        return False
    if session.status == SessionStatus.LIVE:
        return True
    return session.status == SessionStatus.SCHEDULED and is_session_staff(user, session)


@rule(Action.SPEAK_LIVE)
def _speak(user, session: LiveSession) -> bool:
    return (_join(user, session) and may_take_part(user)
            and session.status == SessionStatus.LIVE)


@rule(Action.RSVP_LIVE)
def _rsvp(user, session: LiveSession) -> bool:
    """Members who may take part and may see the session (invite-only: the invited) say
    they will come to it while it is upcoming or under way."""
    return (may_take_part(user) and _view(user, session)
            and session.status in (SessionStatus.SCHEDULED, SessionStatus.LIVE))


@rule(Action.MODERATE_LIVE)
def _moderate(user, session: LiveSession) -> bool:
    return may_take_part(user) and is_session_staff(user, session)


@rule(Action.MANAGE_LIVE)
def _manage(user, target) -> bool:
    """Create, edit, cancel: moderators of the focus area (target: a session or an area).
    With no target (the "schedule a session" page) any moderator; the topic's area is checked
    when the session is saved."""
    if target is None:
        return may_take_part(user) and is_moderator(user)
    return may_take_part(user) and moderates_area(user, _area(target))


def invited_ids(session_id: int) -> list[int]:
    return list(db.session.scalars(select(Invitation.user_id)
                                   .where(Invitation.session_id == session_id)))
