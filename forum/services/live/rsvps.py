"""RSVPs: members saying they will come to a live session, and the lists made from them
(the session page's count, a member's own sessions, the people to remind)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from forum.exceptions import Conflict
from forum.extensions import db
from forum.models.accounts import User
from forum.models.live import LiveSession, Rsvp, SessionStatus
from forum.permissions import Action, can, require
from forum.services.live import sessions as live_sessions

OPEN = (SessionStatus.SCHEDULED, SessionStatus.LIVE)


def rsvp(actor: User, session_id: int) -> Rsvp:
    """Say `actor` will come. Only to a session they may see (others: not found) and take
    part in, while it is upcoming or under way. Saying it twice keeps the first RSVP."""
    session = live_sessions.for_viewer(actor, session_id)
    _require_open(session)
    require(actor, Action.RSVP_LIVE, session)
    existing = db.session.get(Rsvp, (session.id, actor.id))
    if existing is not None:
        return existing
    row = Rsvp(session_id=session.id, user_id=actor.id)
    db.session.add(row)
    db.session.commit()
    return row


def cancel(actor: User, session_id: int) -> bool:
    """Take back `actor`'s RSVP while the session is upcoming or under way. A member may
    always withdraw their own, even after losing sight of the session (an invitation taken
    back); without one, the session must be visible to them. True if one was removed."""
    existing = db.session.get(Rsvp, (session_id, actor.id))
    if existing is None:
        _require_open(live_sessions.for_viewer(actor, session_id))
        return False
    _require_open(live_sessions.get(session_id))
    db.session.delete(existing)
    db.session.commit()
    return True


def has(user, session_id: int) -> bool:
    """Has this viewer (maybe anonymous) said they will come?"""
    user_id = getattr(user, "id", None)
    return user_id is not None and db.session.get(Rsvp, (session_id, user_id)) is not None


def count(session_id: int) -> int:
    """How many members said they will come (a number anyone who sees the session may see)."""
    return db.session.scalar(select(func.count()).select_from(Rsvp)
                             .where(Rsvp.session_id == session_id)) or 0


def sessions_for(user, *, upcoming: bool = True) -> list[LiveSession]:
    """The sessions `user` RSVPed to and may still see, soonest first. `upcoming`: only
    those not yet over (scheduled or live); otherwise also ended and cancelled ones."""
    if getattr(user, "id", None) is None:
        return []
    query = (select(LiveSession).join(Rsvp, Rsvp.session_id == LiveSession.id)
             .where(Rsvp.user_id == user.id).order_by(LiveSession.starts_at, LiveSession.id))
    if upcoming:
        query = query.where(LiveSession.status.in_(OPEN))
    return [s for s in db.session.scalars(query) if can(user, Action.VIEW_LIVE, s)]


def members_for(session: LiveSession) -> list[User]:
    """The members who RSVPed to `session` and may still see it (accounts not erased; an
    invite-only session: still invited), in the order they said so. For reminders."""
    people = db.session.scalars(
        select(User).join(Rsvp, Rsvp.user_id == User.id)
        .where(Rsvp.session_id == session.id, User.erased_at.is_(None))
        .order_by(Rsvp.created_at, User.id))
    return [u for u in people if can(u, Action.VIEW_LIVE, session)]


def forget_member(user_id: int) -> None:
    """Erasure: drop every RSVP of the member (the caller commits)."""
    db.session.execute(delete(Rsvp).where(Rsvp.user_id == user_id))


def _require_open(session: LiveSession) -> None:
    if session.status not in OPEN:
        raise Conflict(_("This session is over."))
