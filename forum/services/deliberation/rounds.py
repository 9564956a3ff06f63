"""Statement rounds: opening one on a question (in a thread or a live session), finding rounds
for a reader, and closing one early (in the public moderation log). Statements and votes are
in `statements` and `votes`; the results in `round_results`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from forum import ids
from forum.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.deliberation import Participation
from forum.models.discussion import Thread
from forum.models.live import LiveSession, SessionStatus
from forum.models.rounds import Round
from forum.permissions import Action, can, require
from forum.permissions.core import plain_user
from forum.services.deliberation import round_groups, seen
from forum.services.discussion import posting
from forum.services.live import stream
from forum.services.moderation import modlog
from forum.services.moderation.targets import clean_reason

MAX_QUESTION_CHARS = 300
MAX_DESCRIPTION_CHARS = 2_000
MAX_OPEN_DAYS = 365


@dataclass
class RoundData:
    question: str
    closes_at: datetime | None  # aware
    description: str = ""
    participation: str = Participation.MEMBERS.value
    premoderate: bool = False


def _clean(data: RoundData, *, in_session: bool) -> dict:
    """The round's fields, or InvalidInput naming every field that is wrong."""
    errors, now = {}, utcnow()
    question = " ".join((data.question or "").split()) if isinstance(data.question, str) else ""
    if not question or len(question) > MAX_QUESTION_CHARS:
        errors["question"] = _("Ask a question of at most %(n)d characters.",
                               n=MAX_QUESTION_CHARS)
    description = data.description if isinstance(data.description, str) else ""
    description = description.replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION_CHARS:
        errors["description"] = _("At most %(n)d characters.", n=MAX_DESCRIPTION_CHARS)
    closes = data.closes_at
    if not isinstance(closes, datetime) or closes.tzinfo is None or closes <= now:
        errors["closes_at"] = _("Choose a closing time in the future.")
    elif closes > now + timedelta(days=MAX_OPEN_DAYS):
        errors["closes_at"] = _("A round can stay open for at most a year.")
    if data.participation not in Participation.offered(in_session):
        errors["participation"] = _("Choose who may take part.")
    if errors:
        raise InvalidInput(errors)
    return {"question": question, "description": description, "closes_at": closes,
            "participation": Participation(data.participation),
            "premoderate": bool(data.premoderate)}


def require_open(actor, place: Thread | LiveSession) -> None:
    """May `actor` open a round here? Forbidden (with the reason in words) if not."""
    message = None
    if isinstance(place, LiveSession) and place.status in (SessionStatus.ENDED,
                                                           SessionStatus.CANCELLED):
        message = _("This session is over.")
    elif isinstance(actor, User) and actor.is_active:
        message = _("Moderators open statement rounds.")
    require(actor, Action.OPEN_ROUND, place, message)


def open_in_thread(actor: User, thread_id: int, data: RoundData) -> Round:
    thread = posting.get_thread(thread_id)
    require_open(actor, thread)
    round_ = Round(focus_area_id=thread.topic.focus_area_id, topic_id=thread.topic_id,
                   thread_id=thread.id, author_id=actor.id, **_clean(data, in_session=False))
    db.session.add(round_)
    db.session.commit()
    return round_


def open_in_session(actor: User, session_id: int, data: RoundData) -> Round:
    session = stream.get_session(session_id)
    require_open(actor, session)
    round_ = Round(focus_area_id=session.focus_area_id, topic_id=session.topic_id,
                   live_session_id=session.id, author_id=actor.id,
                   **_clean(data, in_session=True))
    db.session.add(round_)
    db.session.commit()
    return round_


def get(round_id) -> Round:
    if not ids.is_id(round_id):
        raise InvalidInput({"round_id": _("A round number is needed.")})
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise NotFound(_("There is no such statement round."))
    return round_


def for_viewer(viewer, round_id) -> Round:
    """The round, if this reader may see it (403 outside its invitation-only session)."""
    round_ = get(round_id)
    if not can(viewer, Action.VIEW_ROUND, round_):
        raise Forbidden(_("This round is only for the participants of where it was opened."))
    return round_


def close(actor: User, round_id: int, reason: str = "") -> Round:
    """The round's leaders close it before its time; logged publicly."""
    round_ = get(round_id)
    if not round_.is_open():
        raise Conflict(_("This round is already closed."), code="closed")
    require(actor, Action.MODERATE_ROUND, round_)
    reason = clean_reason(reason, required=False)
    closed = round_groups.take_round(round_.id, closed_at=utcnow(), closed_by_id=actor.id)
    if closed is None:
        db.session.rollback()
        raise Conflict(_("This round is already closed."), code="closed")
    modlog.record(actor, "close_round", "round", round_.id, reason=reason,
                  focus_area_id=round_.focus_area_id, subject_user_id=round_.author_id,
                  details={"question": round_.question})
    db.session.commit()
    db.session.refresh(round_)
    return round_


def closed_message() -> str:
    return _("This round has closed: statements and votes can no longer change.")


def in_thread(viewer, thread: Thread) -> list[Round]:
    """The rounds of a thread, and of the session it is the archive of, that this reader
    may see; newest first."""
    return seen.in_thread(viewer, Round, Action.VIEW_ROUND, thread)


def in_session(viewer, session: LiveSession) -> list[Round]:
    return seen.in_session(viewer, Round, Action.VIEW_ROUND, session)


def in_area(viewer, focus_area_id: int, limit: int = 5) -> list[Round]:
    """The focus area's latest rounds (open ones first) this reader may see."""
    viewer, now = plain_user(viewer), utcnow()
    rows = db.session.scalars(select(Round).where(Round.focus_area_id == focus_area_id)
                              .order_by(Round.id.desc()).limit(limit * 3)).all()
    visible = [r for r in rows if can(viewer, Action.VIEW_ROUND, r)]
    visible.sort(key=lambda r: (not r.is_open(now), -r.id))
    return visible[:limit]
