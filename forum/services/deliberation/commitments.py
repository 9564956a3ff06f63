"""Commitments: what a member (for themselves or their organisation) undertakes to do, by when,
recorded from an outcome or a live session; the owner's status reports and their history;
the public ledger; and the notices owners get when a review date nears and when it passes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from forum import i18n
from forum.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import Sector, User
from forum.models.base import utcnow
from forum.models.deliberation import Commitment, CommitmentStatus, CommitmentUpdate, Proposal
from forum.models.discussion import FocusArea
from forum.models.live import LiveSession
from forum.permissions import Action, can, require
from forum.permissions.core import plain_user
from forum.services import accounts, notifications
from forum.services.deliberation import proposals
from forum.services.live import sessions as live_sessions
from forum.services.moderation import modlog

MAX_TEXT_CHARS = 500
MAX_NOTE_CHARS = 500
MAX_YEARS_AHEAD = 10
PER_PAGE = 50


@dataclass
class CommitmentData:
    owner_email: str
    text: str
    due_on: date | None
    review_on: date | None
    organisation: str = ""


def today() -> date:
    """Today in the display time zone: commitments are due on Stockholm days."""
    return i18n.local_time(utcnow()).date()


def path(commitment_id: int) -> str:
    """The public address of a commitment (part of the URL contract), for notices."""
    return f"/commitments/{commitment_id}"


def _clean(data: CommitmentData) -> dict:
    errors, now = {}, today()
    owner = accounts.find_by_email((data.owner_email or "").strip().lower())
    if owner is None or not owner.is_active:
        errors["owner_email"] = _("No member has that email address.")
    text = " ".join((data.text or "").split())
    if not text or len(text) > MAX_TEXT_CHARS:
        errors["text"] = _("Say what is undertaken, in at most %(n)d characters.",
                           n=MAX_TEXT_CHARS)
    organisation = " ".join((data.organisation or "").split())
    if len(organisation) > 120:
        errors["organisation"] = _("At most %(n)d characters.", n=120)
    latest = now.replace(year=now.year + MAX_YEARS_AHEAD)
    for name in ("due_on", "review_on"):
        value = getattr(data, name)
        if value is None or not now <= value <= latest:
            errors[name] = _("Choose a date from today and at most %(n)d years ahead.",
                             n=MAX_YEARS_AHEAD)
    if errors:
        raise InvalidInput(errors)
    return {"owner_id": owner.id, "sector": owner.sector, "text": text,
            "organisation": organisation or owner.organisation, "due_on": data.due_on,
            "review_on": data.review_on}


def record_for_outcome(actor: User, proposal_id: int, data: CommitmentData) -> Commitment:
    """The proposal's leaders add commitments to its recorded outcome."""
    proposal = proposals.get(proposal_id)
    if proposal.outcome is None:
        raise Conflict(_("Record the outcome first; commitments follow from it."),
                       code="no_outcome")
    require(actor, Action.RECORD_COMMITMENT, proposal)
    fields = _clean(data)
    return _record(actor, Commitment(outcome_id=proposal.outcome.id,
                                     focus_area_id=proposal.focus_area_id, **fields))


def record_for_session(actor: User, session_id: int, data: CommitmentData) -> Commitment:
    """A session's staff record what was promised in it (during it or after)."""
    session = live_sessions.get(session_id)
    require(actor, Action.RECORD_COMMITMENT, session)
    fields = _clean(data)
    return _record(actor, Commitment(live_session_id=session.id,
                                     focus_area_id=session.focus_area_id, **fields))


def _record(actor: User, commitment: Commitment) -> Commitment:
    commitment.recorded_by_id = actor.id
    db.session.add(commitment)
    db.session.flush()
    db.session.add(CommitmentUpdate(commitment_id=commitment.id, author_id=actor.id,
                                    status=CommitmentStatus.OPEN, note=""))
    modlog.record(actor, "record_commitment", "commitment", commitment.id,
                  focus_area_id=commitment.focus_area_id, subject_user_id=commitment.owner_id,
                  details={"due_on": commitment.due_on.isoformat()})
    if commitment.owner_id != actor.id:
        notifications.notify(commitment.owner_id, "commitment",
                             {"text": commitment.text, "commitment_id": commitment.id},
                             actor_id=actor.id)
    db.session.commit()
    return commitment


def get(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound(_("There is no such commitment."))
    return commitment


def for_viewer(viewer, commitment_id: int) -> Commitment:
    commitment = get(commitment_id)
    if not can(viewer, Action.VIEW_COMMITMENT, commitment):
        raise Forbidden(_("This commitment belongs to an invitation-only session."))
    return commitment


def update_status(actor: User, commitment_id: int, status, note) -> Commitment:
    """The owner reports: a status (open, in progress, done, dropped) and a short note.
    Every report is kept in the commitment's history."""
    commitment = get(commitment_id)
    require(actor, Action.UPDATE_COMMITMENT, commitment,
            _("Only the owner of a commitment reports on it."))
    try:
        status = CommitmentStatus(status)
    except ValueError:
        raise InvalidInput({"status": _("Choose open, in progress, done or dropped.")}) from None
    note = " ".join((note or "").split()) if isinstance(note, str) else ""
    if not note or len(note) > MAX_NOTE_CHARS:
        raise InvalidInput({"note": _("Add a short note of at most %(n)d characters.",
                                      n=MAX_NOTE_CHARS)})
    if status != commitment.status:
        commitment.status_changed_at = utcnow()
    commitment.status, commitment.status_note = status, note
    db.session.add(CommitmentUpdate(commitment_id=commitment.id, author_id=actor.id,
                                    status=status, note=note))
    db.session.commit()
    return commitment


def history(commitment: Commitment) -> list[CommitmentUpdate]:
    return list(db.session.scalars(select(CommitmentUpdate).where(
        CommitmentUpdate.commitment_id == commitment.id).order_by(CommitmentUpdate.id.desc())))


@dataclass
class LedgerFilter:
    focus_area_id: int | None = None
    sector: str | None = None
    owner_id: int | None = None
    status: str | None = None  # a CommitmentStatus value, or "overdue"
    page: int = 1


@dataclass
class LedgerPage:
    rows: list[Commitment]
    page: int
    has_next: bool
    today: date


def ledger(viewer, wanted: LedgerFilter) -> LedgerPage:
    """Commitments by due date (the earliest first), as filtered; those from an
    invitation-only session only for its invitees."""
    now, viewer = today(), plain_user(viewer)
    query = select(Commitment).order_by(Commitment.due_on, Commitment.id)
    if wanted.focus_area_id is not None:
        query = query.where(Commitment.focus_area_id == wanted.focus_area_id)
    if wanted.sector in {s.value for s in Sector}:
        query = query.where(Commitment.sector == Sector(wanted.sector))
    if wanted.owner_id is not None:
        query = query.where(Commitment.owner_id == wanted.owner_id)
    if wanted.status == "overdue":
        query = query.where(Commitment.due_on < now, Commitment.status.in_(
            [CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS]))
    elif wanted.status in {s.value for s in CommitmentStatus}:
        query = query.where(Commitment.status == CommitmentStatus(wanted.status))
    page = max(wanted.page, 1)
    rows = db.session.scalars(query.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    visible = [c for c in rows[:PER_PAGE] if can(viewer, Action.VIEW_COMMITMENT, c)]
    return LedgerPage(visible, page, len(rows) > PER_PAGE, now)


def from_session(viewer, session: LiveSession) -> list[Commitment]:
    """Commitments recorded in a live session, for its page."""
    rows = db.session.scalars(select(Commitment).where(
        Commitment.live_session_id == session.id).order_by(Commitment.due_on)).all()
    viewer = plain_user(viewer)
    return [c for c in rows if can(viewer, Action.VIEW_COMMITMENT, c)]


def areas() -> list[FocusArea]:
    """The focus areas, for the ledger's filter."""
    return list(db.session.scalars(select(FocusArea).order_by(FocusArea.position)))


def owners(viewer) -> list[User]:
    """Members who own a commitment this reader may see, for the ledger's filter."""
    viewer = plain_user(viewer)
    found = {c.owner for c in db.session.scalars(select(Commitment))
             if can(viewer, Action.VIEW_COMMITMENT, c)}
    return sorted(found, key=lambda user: user.display_name)


def source_of(commitment: Commitment) -> Proposal | LiveSession | None:
    """What a commitment came from: a proposal (through its outcome) or a live session."""
    if commitment.outcome is not None:
        return commitment.outcome.proposal
    return commitment.live_session


# --- Review notices ---------------------------------------------------------------------------


def send_review_notices(now: datetime | None = None) -> dict[str, int]:
    """Tell owners of open and in-progress commitments, once, that a review date nears
    (REVIEW_NOTICE_DAYS ahead or less) and, once, that it has passed. Safe to run as often
    as one likes, also from two processes at once: each notice is claimed by a conditional
    update before it is written. Returns how many of each were sent."""
    day = i18n.local_time(now or utcnow()).date()
    ahead = timedelta(days=int(current_app.config["REVIEW_NOTICE_DAYS"]))
    active = Commitment.status.in_([CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS])
    sent = {"soon": 0, "passed": 0}
    passed = db.session.scalars(select(Commitment).where(
        active, Commitment.review_on < day, Commitment.review_passed_noticed_at.is_(None)))
    for commitment in passed.all():
        if _claim(commitment, "review_passed_noticed_at", also="review_soon_noticed_at"):
            notifications.notify(commitment.owner_id, "commitment_review_passed",
                                 {"text": commitment.text, "commitment_id": commitment.id})
            sent["passed"] += 1
    soon = db.session.scalars(select(Commitment).where(
        active, Commitment.review_on >= day, Commitment.review_on <= day + ahead,
        Commitment.review_soon_noticed_at.is_(None)))
    for commitment in soon.all():
        if _claim(commitment, "review_soon_noticed_at"):
            notifications.notify(commitment.owner_id, "commitment_review_soon",
                                 {"text": commitment.text, "commitment_id": commitment.id,
                                  "day": commitment.review_on.isoformat()})
            sent["soon"] += 1
    db.session.commit()
    return sent


def _claim(commitment: Commitment, column: str, also: str | None = None) -> bool:
    """Mark the notice as sent unless another run already has; True if this run may send.
    A passed review date also counts as the "nears" notice, so none comes after it."""
    values = {column: utcnow()}
    if also:
        values[also] = func.coalesce(getattr(Commitment, also), utcnow())
    claimed = db.session.execute(
        update(Commitment).where(Commitment.id == commitment.id,
                                 getattr(Commitment, column).is_(None))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    return claimed == 1
