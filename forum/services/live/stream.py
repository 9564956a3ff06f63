"""The ordered event stream of a live session: seq allocation, what the room sees of people,
presence, and the room state rebuilt from the database."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, select, update

from forum import ids
from forum.exceptions import InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import Sector, User
from forum.models.base import utcnow
from forum.models.live import (
    Attribution,
    Ballot,
    Connection,
    LiveEvent,
    LiveSession,
    Participant,
    Poll,
    PollStatus,
    Question,
    QuestionStatus,
    QuestionVote,
    SessionRole,
    SpeakerTurn,
    TurnStatus,
)
from forum.rendering import storable

MAX_CHAT_CHARS = 2000
MAX_QUESTION_CHARS = 500
CATCH_UP_LIMIT = 5000  # events sent to one reconnecting client at most


def room(session_id: int) -> str:
    return f"live:{session_id}"


def staff_room(session_id: int) -> str:
    return f"live:{session_id}:staff"


def member_room(session_id: int, user_id: int) -> str:
    """One member's own sockets in a session: what only they may hear (a mute, say)."""
    return f"live:{session_id}:member:{user_id}"


@dataclass
class Outcome:
    """What a room action leaves for the socket layer, all of it already committed."""

    reply: dict = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)  # to the room, in seq order
    presence: bool = False  # the presence list changed
    staff: list[tuple[str, dict]] = field(default_factory=list)  # (name, payload) to staff only
    kick: list[str] = field(default_factory=list)  # sids to disconnect (removed members)
    # (member, name, payload with session_id) to that member's own sockets only
    personal: list[tuple[int, str, dict]] = field(default_factory=list)


def get_session(session_id) -> LiveSession:
    if not ids.is_id(session_id):
        raise InvalidInput({"session_id": _("A session number is needed.")})
    session = db.session.get(LiveSession, session_id)
    if session is None:
        raise NotFound(_("No such live session."))
    return session


def clean_text(body, limit: int, name: str = "body") -> str:
    """A non-empty string of at most `limit` characters, spaces trimmed (and `storable`)."""
    if not isinstance(body, str) or not storable(body).strip():
        raise InvalidInput({name: _("Please write something.")})
    body = storable(body).strip()
    if len(body) > limit:
        raise InvalidInput({name: _("At most %(n)d characters.", n=limit)}, code="too_long")
    return body


def append(session: LiveSession, type_: str, actor: User | None, data: dict, *,
           shown_as: dict | None = None) -> LiveEvent:
    """Add the next event of the session's stream (see `append_event`)."""
    return append_event(session.id, type_, actor.id if actor else None,
                        shown_as if shown_as is not None else (
                            shown(session, actor) if actor else None), data)


def append_event(session_id: int, type_: str, actor_id: int | None, actor: dict | None,
                 data: dict) -> LiveEvent:
    """Add the next event of a session's stream. The seq comes from an SQL-side increment in
    this transaction, so it is committed with the event (or not at all): no gaps, no twins.
    The row is inserted at once with a Core INSERT (no unit-of-work flush); the returned
    event is a detached copy that gives the wire form."""
    db.session.flush()  # what the ORM has pending goes first, as autoflush would send it
    connection = db.session.connection()
    seq = connection.execute(_NEXT_SEQ, {"session_id": session_id}).scalar_one()
    event = LiveEvent(session_id=session_id, seq=seq, type=type_, at=utcnow(),
                      actor_id=actor_id, actor=actor, data=data)
    connection.execute(_INSERT_EVENT, {"session_id": session_id, "seq": seq, "type": type_,
                                       "at": event.at, "actor_id": actor_id, "actor": actor,
                                       "data": data})
    return event


# Built once: composing a statement costs more than running it.
_NEXT_SEQ = (update(LiveSession).where(LiveSession.id == bindparam("session_id"))
             .values(last_seq=LiveSession.last_seq + 1).returning(LiveSession.last_seq)
             .execution_options(synchronize_session=False))
_INSERT_EVENT = insert(LiveEvent.__table__)


def commit(*events: LiveEvent) -> list[dict]:
    """Commit, then hand back the wire form of the events for broadcasting."""
    wires = [e.as_wire() for e in events]
    db.session.commit()
    return wires


def shown(session: LiveSession, user: User) -> dict:
    """What the room (and the archive) may see of a contributor, by attribution mode."""
    return attributed(session.attribution, _role_in(session, user), user.id,
                      user.display_name, user.sector, user.organisation)


def attributed(attribution: Attribution, role: str, user_id: int, name: str, sector: Sector,
               organisation: str) -> dict:
    """`shown` from plain values. Moderators act on the record: accountable moderation is
    never anonymous."""
    if role == "moderator" or attribution == Attribution.ON_RECORD:
        return {"id": user_id, "name": name, "sector": sector.value,
                "organisation": organisation, "role": role}
    if attribution == Attribution.SECTOR_ONLY:
        return {"sector": sector.value, "role": role}
    return {"role": role}


def _role_in(session: LiveSession, user: User) -> str:
    if session.has_role(user.id, SessionRole.MODERATOR):
        return "moderator"
    if session.has_role(user.id, SessionRole.HOST):
        return "host"
    return "member"


def events_after(session_id: int, after_seq: int) -> list[dict]:
    """The stream after `after_seq`, in order. Questions hidden since are replayed without
    their text (the stored event keeps it, for the record)."""
    rows = db.session.scalars(select(LiveEvent).where(
        LiveEvent.session_id == session_id, LiveEvent.seq > after_seq)
        .order_by(LiveEvent.seq).limit(CATCH_UP_LIMIT)).all()
    hidden = set(db.session.scalars(select(Question.id).where(
        Question.session_id == session_id, Question.status == QuestionStatus.HIDDEN)))
    wires = [e.as_wire() for e in rows]
    for wire in wires:
        question = wire["data"].get("question") if wire["type"] == "question" else None
        if question and question.get("id") in hidden:
            wire["data"] = {"question": {**question, "body": "", "status": "hidden"}}
    return wires


# --- Presence -------------------------------------------------------------------------------


def presence(session: LiveSession) -> dict:
    """Who is in the room now (from open connections), with counts by sector."""
    users = list(db.session.scalars(
        select(User).join(Connection, Connection.user_id == User.id)
        .where(Connection.session_id == session.id).distinct().order_by(User.display_name)))
    by_sector = Counter(u.sector.value for u in users)
    listed = [shown(session, u) for u in users] if session.attribution == Attribution.ON_RECORD \
        else [shown(session, u) for u in users if _role_in(session, u) != "member"]
    return {"session_id": session.id, "count": len(users), "participants": listed,
            "by_sector": {s.value: by_sector.get(s.value, 0) for s in Sector}}


# --- Room state, rebuilt from the database --------------------------------------------------


def poll_results(poll: Poll) -> dict:
    """Counts per choice, overall and by sector; with the earlier run for an opinion shift."""
    ballots = db.session.scalars(select(Ballot).where(Ballot.poll_id == poll.id)).all()
    counts = [0] * len(poll.choices)
    by_sector: dict[str, list[int]] = {}
    for ballot in ballots:
        row = by_sector.setdefault(ballot.sector.value, [0] * len(poll.choices))
        for choice in ballot.choices:
            counts[choice] += 1
            row[choice] += 1
    results = {"ballots": len(ballots), "counts": counts, "by_sector": by_sector}
    if poll.repeat_of_id:
        earlier = db.session.get(Poll, poll.repeat_of_id)
        results["before"] = {k: v for k, v in poll_results(earlier).items() if k != "before"}
    return results


def poll_wire(poll: Poll, *, with_results: bool | None = None) -> dict:
    show = with_results if with_results is not None else (
        poll.results_live or poll.status == PollStatus.CLOSED)
    wire = {"id": poll.id, "question": poll.question, "choices": poll.choices,
            "multiple": poll.multiple, "results_live": poll.results_live,
            "status": poll.status.value, "repeat_of": poll.repeat_of_id}
    if show:
        wire["results"] = poll_results(poll)
    else:
        wire["ballots"] = db.session.scalar(select(func.count()).where(Ballot.poll_id == poll.id))
    return wire


def question_wire(session: LiveSession, q: Question) -> dict:
    return {"id": q.id, "body": q.body if q.status != QuestionStatus.HIDDEN else "",
            "status": q.status.value, "pinned": q.pinned, "votes": q.vote_count,
            "merged_into": q.merged_into_id, "reason": q.moderation_reason,
            "author": shown(session, q.author)}


def turn_wire(session: LiveSession, turn: SpeakerTurn) -> dict:
    return {"id": turn.id, "status": turn.status.value, "sector": turn.sector.value,
            "who": shown(session, turn.user), "raised_at": turn.raised_at.isoformat(),
            "granted_at": turn.granted_at.isoformat() if turn.granted_at else None}


def speaking_by_sector(session_id: int) -> dict:
    """Turns taken and seconds spoken per sector, so moderators can keep the balance."""
    turns = db.session.scalars(select(SpeakerTurn).where(
        SpeakerTurn.session_id == session_id, SpeakerTurn.granted_at.is_not(None))).all()
    stats = {s.value: {"turns": 0, "seconds": 0} for s in Sector}
    for turn in turns:
        stats[turn.sector.value]["turns"] += 1
        stats[turn.sector.value]["seconds"] += turn.seconds
    return stats


def queue_wire(session: LiveSession) -> dict:
    turns = db.session.scalars(select(SpeakerTurn).where(
        SpeakerTurn.session_id == session.id,
        SpeakerTurn.status.in_([TurnStatus.WAITING, TurnStatus.SPEAKING]))
        .order_by(SpeakerTurn.raised_at, SpeakerTurn.id)).all()
    speaking = next((t for t in turns if t.status == TurnStatus.SPEAKING), None)
    return {"speaking": turn_wire(session, speaking) if speaking else None,
            "waiting": [turn_wire(session, t) for t in turns if t.status == TurnStatus.WAITING],
            "by_sector": speaking_by_sector(session.id)}


def question_visible(question: Question, user, *, staff: bool) -> bool:
    """Open and answered questions are seen by all; pending ones by their author and staff;
    hidden, merged and deferred ones by staff."""
    if staff or question.status in (QuestionStatus.OPEN, QuestionStatus.ANSWERED):
        return True
    return question.status == QuestionStatus.PENDING and \
        question.author_id == getattr(user, "id", None)


def room_state(session: LiveSession, user: User, *, staff: bool) -> dict:
    """Everything a (re)joining client needs to draw the room."""
    questions = db.session.scalars(select(Question).where(
        Question.session_id == session.id).order_by(Question.id)).all()
    visible = [q for q in questions if question_visible(q, user, staff=staff)]
    polls = db.session.scalars(select(Poll).where(Poll.session_id == session.id)
                               .order_by(Poll.id)).all()
    me = db.session.get(Participant, (session.id, user.id))
    return {
        "session_id": session.id, "status": session.status.value, "last_seq": session.last_seq,
        "attribution": session.attribution.value, "slow_mode": session.slow_mode_seconds,
        "questions": [question_wire(session, q) for q in visible],
        "polls": [poll_wire(p, with_results=True if staff else None) for p in polls],
        "queue": queue_wire(session),
        "me": {"id": user.id, "staff": staff, "muted": bool(me and me.muted),
               "voted_questions": list(db.session.scalars(
                   select(QuestionVote.question_id).join(Question)
                   .where(Question.session_id == session.id, QuestionVote.user_id == user.id))),
               "voted_polls": list(db.session.scalars(
                   select(Ballot.poll_id).join(Poll)
                   .where(Poll.session_id == session.id, Ballot.user_id == user.id)))},
    }
