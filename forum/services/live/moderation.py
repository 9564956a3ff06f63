"""What moderators do in the live room. Hiding, merging and deferring a question, and removing
a member, need a reason and are written to the public moderation log in the same transaction."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import select

from forum import ids
from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.live import (
    Attribution,
    Connection,
    LiveEvent,
    LiveSession,
    Participant,
    Poll,
    PollStatus,
    Question,
    QuestionStatus,
    SessionStatus,
    SpeakerTurn,
    TurnStatus,
)
from forum.permissions import Action, require
from forum.services import webhooks
from forum.services.live import archive, stream
from forum.services.live.stream import Outcome
from forum.services.moderation import modlog
from forum.services.webhooks import payloads

MAX_REASON = 500
MAX_SLOW_MODE = 600
ACTIONS: dict[str, Callable] = {}


def action(name: str):
    def register(fn):
        ACTIONS[name] = fn
        return fn
    return register


def moderate(user: User, session_id, name, payload: dict, sid: str) -> Outcome:
    """Run one moderator action. Only the session's moderators and its area's moderators."""
    session = stream.get_session(session_id)
    if not isinstance(name, str) or name not in ACTIONS:
        raise InvalidInput({"action": _("Unknown moderator action.")}, code="unknown_action")
    require(user, Action.MODERATE_LIVE, session)
    if name not in ("start",) and db.session.get(Connection, (sid, session.id)) is None:
        raise Conflict(_("Join the session first."), code="not_joined")
    outcome = ACTIONS[name](user, session, payload)
    return outcome


def _live(session: LiveSession) -> None:
    if session.status != SessionStatus.LIVE:
        raise Conflict(_("The session is not live."), code="not_live")


def _reason(payload: dict) -> str:
    return stream.clean_text(payload.get("reason"), MAX_REASON, "reason")


def _int(payload: dict, key: str) -> int:
    value = payload.get(key)
    if not ids.is_id(value):
        raise InvalidInput({key: _("A number is needed.")})
    return value


def _question(session: LiveSession, payload: dict, key: str = "question_id") -> Question:
    question = db.session.get(Question, _int(payload, key))
    if question is None or question.session_id != session.id:
        raise NotFound(_("No such question."))
    return question


def _emit(session: LiveSession, type_: str, user: User, data: dict, **extra) -> Outcome:
    event = stream.append(session, type_, user, data)
    wires = stream.commit(event)
    return Outcome(reply={"seq": wires[0]["seq"]}, events=wires, **extra)


def _log(user, session, name, question: Question, reason: str, **details) -> None:
    modlog.record(user, name, "live_question", question.id, reason=reason,
                  focus_area_id=session.focus_area_id, subject_user_id=question.author_id,
                  details={"session_id": session.id, **details})


# --- Questions ------------------------------------------------------------------------------


@action("approve")
def _approve(user, session, payload) -> Outcome:
    _live(session)
    question = _question(session, payload)
    if question.status != QuestionStatus.PENDING:
        raise Conflict(_("This question is not waiting for approval."), code="not_pending")
    question.status = QuestionStatus.OPEN
    event = stream.append(session, "question", question.author,
                          {"question": stream.question_wire(session, question)})
    question.seq = event.seq
    wires = stream.commit(event)
    return Outcome(reply={"seq": wires[0]["seq"]}, events=wires)


def _set_status(user, session, payload, status: QuestionStatus, log: str | None) -> Outcome:
    question = _question(session, payload)
    reason = _reason(payload) if log else None
    if question.status == status:
        raise Conflict(_("The question already has that state."), code="unchanged")
    question.status = status
    question.moderation_reason = reason
    if status == QuestionStatus.ANSWERED:
        question.answered_at = utcnow()
    if log:
        _log(user, session, log, question, reason)
    data = {"question_id": question.id, "status": status.value, "reason": reason}
    return _emit(session, "question_state", user, data)


@action("hide")
def _hide(user, session, payload) -> Outcome:
    return _set_status(user, session, payload, QuestionStatus.HIDDEN, "live_hide_question")


@action("defer")
def _defer(user, session, payload) -> Outcome:
    return _set_status(user, session, payload, QuestionStatus.DEFERRED, "live_defer_question")


@action("answer")
def _answer(user, session, payload) -> Outcome:
    return _set_status(user, session, payload, QuestionStatus.ANSWERED, None)


@action("reopen")
def _reopen(user, session, payload) -> Outcome:
    return _set_status(user, session, payload, QuestionStatus.OPEN, None)


@action("pin")
def _pin(user, session, payload) -> Outcome:
    question = _question(session, payload)
    pinned = payload.get("pinned", True)
    if not isinstance(pinned, bool):
        raise InvalidInput({"pinned": _("pinned must be true or false.")})
    question.pinned = pinned
    return _emit(session, "question_pin", user, {"question_id": question.id, "pinned": pinned})


@action("merge")
def _merge(user, session, payload) -> Outcome:
    question = _question(session, payload)
    into = _question(session, payload, "into_id")
    reason = _reason(payload)
    if into.id == question.id or into.status in (QuestionStatus.MERGED, QuestionStatus.HIDDEN):
        raise InvalidInput({"into_id": _("Merge into another visible question.")})
    question.status, question.merged_into_id = QuestionStatus.MERGED, into.id
    question.moderation_reason = reason
    into.vote_count += question.vote_count
    _log(user, session, "live_merge_question", question, reason, merged_into=into.id)
    return _emit(session, "question_state", user,
                 {"question_id": question.id, "status": "merged", "reason": reason,
                  "merged_into": into.id, "votes": into.vote_count})


# --- Speaker queue --------------------------------------------------------------------------


def _turns(session, *statuses) -> list[SpeakerTurn]:
    return list(db.session.scalars(select(SpeakerTurn).where(
        SpeakerTurn.session_id == session.id, SpeakerTurn.status.in_(statuses))
        .order_by(SpeakerTurn.raised_at, SpeakerTurn.id)))


def _end_current(session) -> None:
    for turn in _turns(session, TurnStatus.SPEAKING):
        turn.status, turn.ended_at = TurnStatus.DONE, utcnow()


def _floor(user, session, turn: SpeakerTurn | None) -> Outcome:
    _live(session)
    _end_current(session)
    if turn is not None:
        turn.status, turn.granted_at = TurnStatus.SPEAKING, utcnow()
    db.session.flush()
    return _emit(session, "floor", user, {"queue": stream.queue_wire(session)})


@action("grant_floor")
def _grant(user, session, payload) -> Outcome:
    turn_id = _int(payload, "turn_id")
    turn = next((t for t in _turns(session, TurnStatus.WAITING) if t.id == turn_id), None)
    if turn is None:
        raise NotFound(_("No such raised hand."))
    return _floor(user, session, turn)


@action("next_speaker")
def _next(user, session, payload) -> Outcome:
    waiting = _turns(session, TurnStatus.WAITING)
    return _floor(user, session, waiting[0] if waiting else None)


@action("end_turn")
def _end_turn(user, session, payload) -> Outcome:
    return _floor(user, session, None)


@action("lower_hand")
def _lower(user, session, payload) -> Outcome:
    turn_id = _int(payload, "turn_id")
    turn = next((t for t in _turns(session, TurnStatus.WAITING) if t.id == turn_id), None)
    if turn is None:
        raise NotFound(_("No such raised hand."))
    turn.status = TurnStatus.LOWERED
    db.session.flush()
    return _emit(session, "floor", user, {"queue": stream.queue_wire(session)})


# --- Polls ----------------------------------------------------------------------------------


@action("open_poll")
def _open_poll(user, session, payload) -> Outcome:
    """A new poll; `repeat_of` asks an earlier poll again to show the opinion shift."""
    _live(session)
    repeat = payload.get("repeat_of")
    if repeat is not None:
        earlier = db.session.get(Poll, _int(payload, "repeat_of"))
        if earlier is None or earlier.session_id != session.id:
            raise NotFound(_("No such poll."))
        question, choices, multiple = earlier.question, earlier.choices, earlier.multiple
    else:
        question = stream.clean_text(payload.get("question"), 300, "question")
        choices = payload.get("choices")
        if not isinstance(choices, list) or not 2 <= len(choices) <= 10:
            raise InvalidInput({"choices": _("Give between 2 and 10 choices.")})
        choices = [stream.clean_text(c, 120, "choices") for c in choices]
        multiple = payload.get("multiple", False)
        if not isinstance(multiple, bool):
            raise InvalidInput({"multiple": _("multiple must be true or false.")})
    results_live = payload.get("results", "live") != "after_close"
    poll = Poll(session_id=session.id, question=question, choices=choices, multiple=multiple,
                results_live=results_live, repeat_of_id=repeat)
    db.session.add(poll)
    db.session.flush()
    outcome = _emit(session, "poll", user, {"poll": stream.poll_wire(poll)})
    outcome.reply["poll_id"] = poll.id
    return outcome


@action("close_poll")
def _close_poll(user, session, payload) -> Outcome:
    poll = db.session.get(Poll, _int(payload, "poll_id"))
    if poll is None or poll.session_id != session.id:
        raise NotFound(_("No such poll."))
    if poll.status == PollStatus.CLOSED:
        raise Conflict(_("This poll is already closed."), code="poll_closed")
    poll.status, poll.closed_at = PollStatus.CLOSED, utcnow()
    return _emit(session, "poll", user, {"poll": stream.poll_wire(poll)})


# --- Participants ---------------------------------------------------------------------------


def _participant(session, payload) -> Participant:
    """The target, named by `user_id` or by the `seq` of one of their events (needed when the
    room shows no names)."""
    if payload.get("seq") is not None:
        event = db.session.scalar(select(LiveEvent).where(
            LiveEvent.session_id == session.id, LiveEvent.seq == _int(payload, "seq")))
        user_id = event.actor_id if event is not None else None
    else:
        user_id = _int(payload, "user_id")
    participant = db.session.get(Participant, (session.id, user_id)) if user_id else None
    if participant is None:
        raise NotFound(_("No such participant."))
    return participant


def _set_flag(user, session, payload, flag: str, value: bool, log: str | None) -> Outcome:
    target = _participant(session, payload)
    reason = _reason(payload) if log else ""
    if target.user_id == user.id:
        raise InvalidInput({"user_id": _("You cannot do that to yourself.")})
    setattr(target, flag, value)
    if log:
        modlog.record(user, log, "user", target.user_id, reason=reason,
                      focus_area_id=session.focus_area_id, subject_user_id=target.user_id,
                      details={"session_id": session.id})
    kick = []
    if flag == "removed":
        kick = list(db.session.scalars(select(Connection.sid).where(
            Connection.session_id == session.id, Connection.user_id == target.user_id)))
    # The room learns who only where it sees names; the member hears it on their own sockets.
    data = {"participant": stream.shown(session, target.user), flag: value}
    if session.attribution == Attribution.ON_RECORD:
        data["user_id"] = target.user_id
    personal = [(target.user_id, "me", {"session_id": session.id, flag: value})]
    return _emit(session, "participant", user, data, kick=kick, presence=bool(kick),
                 personal=personal)


@action("mute")
def _mute(user, session, payload) -> Outcome:
    return _set_flag(user, session, payload, "muted", True, None)


@action("unmute")
def _unmute(user, session, payload) -> Outcome:
    return _set_flag(user, session, payload, "muted", False, None)


@action("remove")
def _remove(user, session, payload) -> Outcome:
    return _set_flag(user, session, payload, "removed", True, "live_remove_participant")


@action("slow_mode")
def _slow(user, session, payload) -> Outcome:
    seconds = _int(payload, "seconds")
    if not 0 <= seconds <= MAX_SLOW_MODE:
        raise InvalidInput({"seconds": _("Between 0 and %(n)d seconds.", n=MAX_SLOW_MODE)})
    session.slow_mode_seconds = seconds
    return _emit(session, "slow_mode", user, {"seconds": seconds})


# --- Start and end --------------------------------------------------------------------------


@action("start")
def _start(user, session, payload) -> Outcome:
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(_("Only an upcoming session can be started."), code="not_scheduled")
    session.status, session.started_at = SessionStatus.LIVE, utcnow()
    webhooks.emit("live_session.started", payloads.live_session(session))
    return _emit(session, "session", user, {"status": "live"})


@action("end")
def _end(user, session, payload) -> Outcome:
    """End the session: close polls and turns, and archive it as a thread in its topic."""
    _live(session)
    _end_current(session)
    for turn in _turns(session, TurnStatus.WAITING):
        turn.status = TurnStatus.LOWERED
    for poll in db.session.scalars(select(Poll).where(Poll.session_id == session.id,
                                                      Poll.status == PollStatus.OPEN)):
        poll.status, poll.closed_at = PollStatus.CLOSED, utcnow()
    session.status, session.ended_at = SessionStatus.ENDED, utcnow()
    db.session.flush()
    thread = archive.archive(session, user)
    webhooks.emit("live_session.ended", lambda: {
        **payloads.live_session(session), "archive_thread_id": thread.id})
    return _emit(session, "session", user, {"status": "ended", "thread_id": thread.id})
