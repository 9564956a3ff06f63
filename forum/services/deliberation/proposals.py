"""Proposals: opening them in a thread or a live session, finding them for a reader, and
closing them early. A proposal takes positions until its closing time; a moderator may close
it before that (in the public moderation log). Proposals of a live session belong to the
session's archive thread once it is written."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from forum import ids
from forum.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.deliberation import Outcome, Participation, Proposal
from forum.models.discussion import Thread
from forum.models.live import LiveSession, SessionStatus
from forum.permissions import Action, can, require
from forum.permissions.core import plain_user
from forum.services.deliberation import closing, room, seen
from forum.services.discussion import posting
from forum.services.live import stream
from forum.services.moderation import modlog
from forum.services.moderation.targets import clean_reason

MAX_TITLE_CHARS = 200
MAX_STATEMENT_CHARS = 5_000
MAX_BACKGROUND_CHARS = 20_000
MAX_OPEN_DAYS = 365


@dataclass
class ProposalData:
    title: str
    statement: str
    closes_at: datetime | None  # aware
    background: str = ""
    participation: str = Participation.MEMBERS.value


def _clean(data: ProposalData, *, in_session: bool) -> dict:
    """The proposal's fields, or InvalidInput naming every field that is wrong."""
    errors, now = {}, utcnow()
    title = " ".join((data.title or "").split())
    if not title or len(title) > MAX_TITLE_CHARS:
        errors["title"] = _("Give a title of at most %(n)d characters.", n=MAX_TITLE_CHARS)
    statement = (data.statement or "").replace("\r\n", "\n").strip()
    if not statement or len(statement) > MAX_STATEMENT_CHARS:
        errors["statement"] = _("Write the statement, in at most %(n)d characters.",
                                n=MAX_STATEMENT_CHARS)
    background = (data.background or "").replace("\r\n", "\n").strip()
    if len(background) > MAX_BACKGROUND_CHARS:
        errors["background"] = _("At most %(n)d characters.", n=MAX_BACKGROUND_CHARS)
    closes = data.closes_at
    if closes is None or closes.tzinfo is None or closes <= now:
        errors["closes_at"] = _("Choose a closing time in the future.")
    elif closes > now + timedelta(days=MAX_OPEN_DAYS):
        errors["closes_at"] = _("A proposal can stay open for at most a year.")
    if data.participation not in Participation.offered(in_session):
        errors["participation"] = _("Choose who may take part.")
    if errors:
        raise InvalidInput(errors)
    return {"title": title, "statement_source": statement,
            "statement_html": posting.render(statement), "background_source": background,
            "background_html": posting.render(background) if background else "",
            "closes_at": closes, "participation": Participation(data.participation)}


def open_in_thread(actor: User, thread_id: int, data: ProposalData) -> Proposal:
    """Moderators of the thread's area and verified members, in a thread they may reply in."""
    thread = posting.get_thread(thread_id)
    require_open(actor, thread)
    proposal = Proposal(focus_area_id=thread.topic.focus_area_id, topic_id=thread.topic_id,
                        thread_id=thread.id, author_id=actor.id,
                        **_clean(data, in_session=False))
    db.session.add(proposal)
    db.session.commit()
    return proposal


def open_in_session(actor: User, session_id: int, data: ProposalData
                    ) -> tuple[Proposal, list[dict]]:
    """The session's staff and verified members who may speak there, while it is live. The
    room learns of it through its event stream (returned, committed, for broadcasting)."""
    session = stream.get_session(session_id)
    require_open(actor, session)
    proposal = Proposal(focus_area_id=session.focus_area_id, topic_id=session.topic_id,
                        live_session_id=session.id, author_id=actor.id,
                        **_clean(data, in_session=True))
    db.session.add(proposal)
    db.session.flush()
    event = room.announce_opened(session, actor, proposal)
    return proposal, stream.commit(event)


def require_open(actor, place: Thread | LiveSession) -> None:
    """May `actor` open a proposal here? Forbidden (with the reason in words) if not."""
    message = None
    if isinstance(place, LiveSession) and place.status != SessionStatus.LIVE:
        message = _("Proposals are opened while the session is live.")
    elif isinstance(actor, User) and actor.is_active and not actor.is_verified:
        message = _("Only moderators and verified members open proposals.")
    require(actor, Action.OPEN_PROPOSAL, place, message)


def get(proposal_id: int) -> Proposal:
    if not ids.is_id(proposal_id):
        raise InvalidInput({"proposal_id": _("A proposal number is needed.")})
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("There is no such proposal."))
    return proposal


def for_viewer(viewer, proposal_id: int) -> Proposal:
    """The proposal, if this reader may see it (403 for those outside its invitation-only
    session or hidden thread)."""
    proposal = get(proposal_id)
    if not can(viewer, Action.VIEW_PROPOSAL, proposal):
        raise Forbidden(_("This proposal is only for the participants of where it was made."))
    return proposal


def close(actor: User, proposal_id: int, reason: str = "") -> tuple[Proposal, list[dict]]:
    """Moderators of the area (and the session's staff) close an open proposal early; it is
    logged publicly. A session that is live hears of it through its stream."""
    proposal = get(proposal_id)
    if not proposal.is_open():
        raise Conflict(_("This proposal is already closed."), code="closed")
    require(actor, Action.CLOSE_PROPOSAL, proposal)
    reason = clean_reason(reason, required=False)
    # Taking the row first means a position racing with the close either lands before it
    # or is refused (its own update finds the proposal closed).
    closed = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.closed_at.is_(None))
        .values(closed_at=utcnow(), closed_by_id=actor.id, version=Proposal.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if closed != 1:
        raise Conflict(_("This proposal is already closed."), code="closed")
    db.session.refresh(proposal)
    modlog.record(actor, "close_proposal", "proposal", proposal.id, reason=reason,
                  focus_area_id=proposal.focus_area_id, subject_user_id=proposal.author_id,
                  details={"title": proposal.title})
    closing.announce(proposal, actor)
    session = proposal.live_session
    if session is not None and session.status == SessionStatus.LIVE:
        return proposal, stream.commit(room.announce_closed(session, actor, proposal))
    db.session.commit()
    return proposal, []


def in_thread(viewer, thread: Thread) -> list[Proposal]:
    """The proposals of a thread, and of the session it is the archive of, that this reader
    may see; newest first."""
    return seen.in_thread(viewer, Proposal, Action.VIEW_PROPOSAL, thread)


def in_session(viewer, session: LiveSession) -> list[Proposal]:
    return seen.in_session(viewer, Proposal, Action.VIEW_PROPOSAL, session)


@dataclass
class AreaDeliberation:
    open: list[Proposal]
    outcomes: list[Outcome]


def in_area(viewer, focus_area_id: int, limit: int = 5) -> AreaDeliberation:
    """For the focus area page: open proposals (closing soonest first) and the latest
    outcomes, as far as this reader may see them."""
    viewer, now = plain_user(viewer), utcnow()
    open_rows = db.session.scalars(select(Proposal).where(
        Proposal.focus_area_id == focus_area_id, Proposal.closed_at.is_(None),
        Proposal.closes_at > now).order_by(Proposal.closes_at).limit(limit * 2)).all()
    outcome_rows = db.session.scalars(select(Outcome).join(Proposal).where(
        Proposal.focus_area_id == focus_area_id).order_by(Outcome.id.desc())
        .limit(limit * 2)).all()
    return AreaDeliberation(
        [p for p in open_rows if can(viewer, Action.VIEW_PROPOSAL, p)][:limit],
        [o for o in outcome_rows if can(viewer, Action.VIEW_PROPOSAL, o.proposal)][:limit])
