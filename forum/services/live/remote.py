"""Live sessions for clients without a socket (the JSON API): the sessions, questions and
polls a viewer may see, the record of an ended session, asking a question, upvoting one
and voting in a poll. The same
rules as in the room decide; asking makes the caller a participant as joining would."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.exceptions import Conflict, Forbidden, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import insert_or_merge
from forum.models.live import (
    Ballot,
    LiveSession,
    Participant,
    Poll,
    Question,
    QuestionVote,
    SessionStatus,
)
from forum.permissions import Action, can, require
from forum.services.live import room, sessions, stream
from forum.services.live.stream import Outcome


def sessions_after(after_id: int, limit: int) -> list[LiveSession]:
    """Sessions in id order; `visible` tells which the viewer may see."""
    return list(db.session.scalars(select(LiveSession).where(LiveSession.id > after_id)
                                   .options(selectinload(LiveSession.focus_area))
                                   .order_by(LiveSession.id).limit(limit + 1)))


def visible(viewer, session: LiveSession) -> bool:
    return can(viewer, Action.VIEW_LIVE, session)


def questions(viewer, session_id: int, after_id: int, limit: int
              ) -> tuple[LiveSession, list[Question]]:
    """A session's questions in id order (which ones: `question_visible`)."""
    session = sessions.for_viewer(viewer, session_id)
    rows = db.session.scalars(select(Question).where(Question.session_id == session.id,
                                                     Question.id > after_id)
                              .order_by(Question.id).limit(limit + 1))
    return session, list(rows)


def question_visible(viewer, session: LiveSession, question: Question) -> bool:
    staff = can(viewer, Action.MODERATE_LIVE, session)
    return stream.question_visible(question, viewer, staff=staff)


def polls(viewer, session_id: int, after_id: int, limit: int) -> tuple[LiveSession, list[dict]]:
    """A session's polls in id order, with results where the room would show them."""
    session = sessions.for_viewer(viewer, session_id)
    staff = can(viewer, Action.MODERATE_LIVE, session)
    rows = db.session.scalars(select(Poll).where(Poll.session_id == session.id,
                                                 Poll.id > after_id)
                              .order_by(Poll.id).limit(limit + 1))
    return session, [stream.poll_wire(p, with_results=True if staff else None) for p in rows]


@dataclass
class Record:
    session: LiveSession
    questions: list[dict]
    polls: list[dict]


def record(viewer, session_id: int) -> Record:
    """What an ended session leaves: its archive thread, the questions and the polls with
    their results, attributed as the session's attribution mode says."""
    session = sessions.for_viewer(viewer, session_id)
    if session.status != SessionStatus.ENDED:
        raise Conflict(_("The record is written when the session ends."), code="not_ended")
    shown = select(Question).where(Question.session_id == session.id).order_by(Question.id)
    return Record(session,
                  [stream.question_wire(session, q) for q in db.session.scalars(shown)
                   if stream.question_visible(q, viewer, staff=False)],
                  [stream.poll_wire(p, with_results=True) for p in db.session.scalars(
                      select(Poll).where(Poll.session_id == session.id).order_by(Poll.id))])


def ask(user: User, session_id, body) -> Outcome:
    """Ask a question without being in the room: the member must be allowed to speak in the
    session (it is live, they may join it, they are neither removed nor muted)."""
    body = stream.clean_text(body, stream.MAX_QUESTION_CHARS)
    session = stream.get_session(session_id)
    participant = _taking_part(user, session, speaking=True)
    return room.put_question(session, participant, user, body)


def _taking_part(user: User, session: LiveSession, *, speaking: bool) -> Participant:
    """The member as a participant of the session, as joining the room would make them:
    they must be allowed to act there and not removed (nor muted, to speak)."""
    require(user, Action.SPEAK_LIVE, session, room.room_refusal(user, session))
    db.session.execute(
        insert_or_merge(Participant)
        .values(session_id=session.id, user_id=user.id, sector=user.sector)
        .on_conflict_do_nothing(index_elements=[Participant.session_id, Participant.user_id]))
    participant = db.session.get(Participant, (session.id, user.id))
    if participant.removed:
        raise Forbidden(_("A moderator has removed you from this session."), code="removed")
    if speaking and participant.muted:
        raise Forbidden(_("A moderator has muted you in this session."), code="muted")
    return participant


def upvote(user: User, session_id: int, question_id: int) -> tuple[Outcome, int]:
    """Upvote a question of the session without being in the room; asking again changes
    nothing (the answer is the same). Returns what to broadcast and the question's votes."""
    session = sessions.for_viewer(user, session_id)
    question = db.session.get(Question, question_id)
    if question is None or question.session_id != session.id or \
            not question_visible(user, session, question):
        raise NotFound(_("No such question in this session."))
    _taking_part(user, session, speaking=False)
    if db.session.get(QuestionVote, (question.id, user.id)) is not None:
        db.session.commit()
        return Outcome(), question.vote_count
    outcome = room.cast_upvote(session, user, question)
    db.session.refresh(question)
    return outcome, question.vote_count


def vote(user: User, session_id: int, poll_id: int, choice) -> tuple[Outcome, list[int]]:
    """Vote in an open poll of the session without being in the room. The same ballot
    again changes nothing; another one is refused (one ballot per member, as in the room)."""
    session = sessions.for_viewer(user, session_id)
    poll = db.session.get(Poll, poll_id)
    if poll is None or poll.session_id != session.id:
        raise NotFound(_("No such poll in this session."))
    participant = _taking_part(user, session, speaking=False)
    cast = db.session.get(Ballot, (poll.id, user.id))
    if cast is not None and cast.choices == room.clean_choice(poll, choice):
        db.session.commit()
        return Outcome(), list(cast.choices)
    outcome = room.cast_ballot(session, participant, user, poll, choice)
    return outcome, room.clean_choice(poll, choice)
