"""What members do in the live room: join, leave, chat, ask, upvote, raise a hand, vote.

Every action is committed with its seq before the socket layer broadcasts it (see
`live_stream.append`). Muted members cannot chat or ask; removed members cannot come back;
slow mode allows one message per N seconds; suspended members cannot join or act."""
from __future__ import annotations

import enum
import json
from contextlib import contextmanager
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import (
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError

from forum import ids
from forum.exceptions import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from forum.extensions import db
from forum.models.accounts import Role, Suspension, User
from forum.models.base import insert_or_merge, utcnow
from forum.models.live import (
    Attribution,
    Ballot,
    Connection,
    Invitation,
    LiveEvent,
    LiveSession,
    Participant,
    Poll,
    PollStatus,
    Question,
    QuestionStatus,
    QuestionVote,
    SessionPerson,
    SessionRole,
    SessionStatus,
    SpeakerTurn,
    TurnStatus,
    Visibility,
)
from forum.permissions import Action, can, require
from forum.services.live import stream
from forum.services.live.stream import Outcome


def is_staff(user: User, session: LiveSession) -> bool:
    return can(user, Action.MODERATE_LIVE, session)


def join(user: User, session_id, sid: str, after_seq=None, *,
         login_session_id: int | None = None) -> Outcome:
    """Enter the room. Refused to suspended members, to non-invitees of invite-only sessions
    and to members removed from this session. Returns the room state and the missed events.
    `login_session_id` is the sign-in session the socket came with (None: a token)."""
    session = stream.get_session(session_id)
    if after_seq is not None and (not isinstance(after_seq, int) or isinstance(after_seq, bool)
                                  or not 0 <= after_seq < 2**63):
        raise InvalidInput({"after_seq": _("after_seq must be a whole number.")})
    require(user, Action.JOIN_LIVE, session, room_refusal(user, session))
    participant = db.session.get(Participant, (session.id, user.id))
    if participant is not None and participant.removed:
        raise Forbidden(_("A moderator has removed you from this session."), code="removed")
    if participant is None:  # the member's other tab may be joining at this very moment
        db.session.execute(
            insert_or_merge(Participant)
            .values(session_id=session.id, user_id=user.id, sector=user.sector)
            .on_conflict_do_nothing(index_elements=[Participant.session_id, Participant.user_id]))
    if db.session.get(Connection, (sid, session.id)) is None:
        db.session.add(Connection(sid=sid, session_id=session.id, user_id=user.id,
                                  login_session_id=login_session_id))
    db.session.commit()
    staff = is_staff(user, session)
    reply = {"state": stream.room_state(session, user, staff=staff),
             "presence": stream.presence(session),
             "events": stream.events_after(session.id, after_seq) if after_seq is not None else []}
    return Outcome(reply=reply, presence=True)


def room_refusal(user: User, session: LiveSession) -> str | None:
    if session.status in (SessionStatus.ENDED, SessionStatus.CANCELLED):
        return _("This session is over.")
    if session.status == SessionStatus.SCHEDULED:
        return _("The room opens when a moderator starts the session.")
    return None


def leave(user: User, session_id, sid: str) -> Outcome:
    session = stream.get_session(session_id)
    db.session.execute(delete(Connection).where(Connection.sid == sid,
                                                Connection.session_id == session.id))
    db.session.commit()
    return Outcome(presence=True)


def disconnect(sid: str) -> list[LiveSession]:
    """A socket closed: forget its presence in every room. Returns the rooms it was in."""
    ids = list(db.session.scalars(select(Connection.session_id).where(Connection.sid == sid)))
    if not ids:
        return []
    db.session.execute(delete(Connection).where(Connection.sid == sid))
    db.session.commit()
    return [db.session.get(LiveSession, i) for i in ids]


def forget_dead_connections(live_sids: set[str], *, every_row: bool,
                            stale_after: float = 60) -> list[int]:
    """Delete the presence rows of sockets that died with their server process. `live_sids`
    are the sockets known to be open. With `every_row` (one server process, which just
    started) every other row is dead; otherwise (several processes) only rows older than
    `stale_after` seconds go, so a socket that joins through another process meanwhile stays.
    Returns the sessions whose presence changed."""
    query = select(Connection.sid, Connection.session_id)
    if not every_row:
        query = query.where(Connection.connected_at < utcnow() - timedelta(seconds=stale_after))
    dead = [(sid, session_id) for sid, session_id in db.session.execute(query)
            if sid not in live_sids]
    for sid, session_id in dead:
        db.session.execute(delete(Connection).where(Connection.sid == sid,
                                                    Connection.session_id == session_id))
    db.session.commit()
    return sorted({session_id for _sid, session_id in dead})


def _in_room(user: User, session_id, sid: str, *, speaking: bool) -> tuple[LiveSession,
                                                                          Participant]:
    """The session, after checking the socket joined it and the member may still act there."""
    session = stream.get_session(session_id)
    if db.session.get(Connection, (sid, session.id)) is None:
        raise Conflict(_("Join the session first."), code="not_joined")
    participant = db.session.get(Participant, (session.id, user.id))
    if participant is None or participant.removed:
        raise Forbidden(_("A moderator has removed you from this session."), code="removed")
    require(user, Action.SPEAK_LIVE, session, room_refusal(user, session))
    if speaking and participant.muted:
        raise Forbidden(_("A moderator has muted you in this session."), code="muted")
    return session, participant


def _slow_mode(session: LiveSession, participant: Participant, user: User) -> None:
    """One message per N seconds; moderators and hosts are exempt."""
    wait = session.slow_mode_seconds
    if not wait or session.has_role(user.id) or is_staff(user, session):
        return  # no write when slow mode is off: the busy path stays one UPDATE shorter
    now, last = utcnow(), participant.last_message_at
    if last is not None and now - last < timedelta(seconds=wait):
        left = wait - int((now - last).total_seconds())
        raise RateLimited(_("Slow mode: please wait %(s)d seconds.", s=left),
                          retry_after=left, code="slow_mode")
    participant.last_message_at = now


def chat(user: User, session_id, body, sid: str) -> Outcome:
    """Post a chat message to the room."""
    body = stream.clean_text(body, stream.MAX_CHAT_CHARS)
    session, participant = _in_room(user, session_id, sid, speaking=True)
    _slow_mode(session, participant, user)
    event = stream.append(session, "chat", user, {"body": body})
    return _done(event)


def quick_chat(user_id: int | None, session_id, body, sid: str) -> Outcome | None:
    """`chat` for the busy common case, no ORM objects. On PostgreSQL it is one statement
    that commits by itself (`_chat_in_one_statement`): one round trip. Elsewhere (SQLite)
    three statements and a commit: one SELECT tells everything the checks need (the
    member's account, the socket joined, not removed or muted, not suspended, invited where
    needed, the session live, slow mode) and who the actor is; then the slow-mode stamp
    (only when slow mode is on), the seq and the event.

    It returns None, having written nothing, whenever anything is unusual (a bad payload,
    any check failing, a moderator outside their session under slow mode): the caller then
    runs `chat`, whose rules and error codes stay the only ones. So this path can only admit
    what `chat` admits, never refuse differently."""
    if not isinstance(user_id, int) or not ids.is_id(session_id) or not isinstance(body, str):
        return None
    body = body.strip()
    if not body or len(body) > stream.MAX_CHAT_CHARS:
        return None
    now = utcnow()
    if db.engine.dialect.name == "postgresql":
        return _chat_in_one_statement(user_id, session_id, body, sid, now)
    me = db.session.connection().execute(_STANDING, {"user_id": user_id, "session_id": session_id,
                                        "sid": sid, "now": now}).one_or_none()
    if me is None or not _may_speak(me):
        return None
    role = "moderator" if me.moderator else "host" if me.host else "member"
    wait = me.slow_mode_seconds
    if wait and role == "member":
        if me.user_role != Role.MEMBER:  # perhaps a moderator of the area: let chat decide
            return None
        stamped = db.session.connection().execute(_SLOW_MODE_STAMP, {
            "in_session": session_id, "of_user": user_id, "now": now,
            "since": now - timedelta(seconds=wait)})
        if stamped.rowcount != 1:
            return None  # too soon: chat says how long to wait
    actor = stream.attributed(me.attribution, role, user_id, me.display_name, me.sector,
                              me.organisation)
    return _done(stream.append_event(session_id, "chat", user_id, actor, {"body": body}))


def _standing_query(prefix: str = ""):
    """One row: the session, the member, and where the member stands in its room. The
    parameters are named `user_id`, `session_id`, `sid` and `now`, after `prefix`."""
    user_id, session_id = bindparam(prefix + "user_id"), bindparam(prefix + "session_id")

    def person(role: SessionRole):
        return exists().where(SessionPerson.session_id == LiveSession.id,
                              SessionPerson.user_id == User.id, SessionPerson.role == role)

    return (
        select(LiveSession.status, LiveSession.visibility, LiveSession.attribution,
               LiveSession.slow_mode_seconds, User.display_name, User.sector,
               User.organisation, User.role.label("user_role"), User.erased_at,
               User.email_confirmed_at,
               Connection.user_id.label("joined"), Participant.user_id.label("participant"),
               Participant.muted, Participant.removed,
               person(SessionRole.MODERATOR).label("moderator"),
               person(SessionRole.HOST).label("host"),
               exists().where(Invitation.session_id == LiveSession.id,
                              Invitation.user_id == User.id).label("invited"),
               exists().where(Suspension.user_id == User.id, Suspension.lifted_at.is_(None),
                              or_(Suspension.ends_at.is_(None),
                                  Suspension.ends_at > bindparam(prefix + "now")))
               .label("suspended"))
        .select_from(LiveSession)
        .join(User, User.id == user_id)
        .outerjoin(Connection, and_(Connection.sid == bindparam(prefix + "sid"),
                                    Connection.session_id == LiveSession.id))
        .outerjoin(Participant, and_(Participant.session_id == LiveSession.id,
                                     Participant.user_id == User.id))
        .where(LiveSession.id == session_id))


# Built once: composing a statement costs more than running it.
_STANDING = _standing_query()
_SLOW_MODE_STAMP = (
    update(Participant)
    .where(Participant.session_id == bindparam("in_session"),
           Participant.user_id == bindparam("of_user"),
           or_(Participant.last_message_at.is_(None),
               Participant.last_message_at <= bindparam("since")))
    .values(last_message_at=bindparam("now"))
    .execution_options(synchronize_session=False))


def _chat_statement():
    """The quick chat as one PostgreSQL statement: `me` is `_standing_query`'s row; `stamp`
    takes the slow-mode slot (only for a plain member under slow mode, only when it is
    free); `bump` takes the next seq, only when every check of `_may_speak` holds (and the
    stamp, where one was needed); `event` inserts the chat with the actor the attribution
    mode allows (as `stream.attributed` would build it). It returns the new event's seq and
    actor, or no row when anything is unusual: then nothing was written (an UPDATE or INSERT
    that matches no row writes nothing) and `chat` decides. The statement runs outside any
    transaction (autocommit): it is committed by itself, so a chat waits on PostgreSQL once,
    and the session row's lock is held only while the statement runs. (Its parameters are
    named p_...: parameters named like a column would be taken as values of the UPDATEs.)"""
    me = _standing_query("p_").cte("me")
    may_speak = and_(
        me.c.erased_at.is_(None), ~me.c.suspended, me.c.status == SessionStatus.LIVE,
        me.c.email_confirmed_at.is_not(None), me.c.joined.is_not(None),
        me.c.participant.is_not(None), ~me.c.removed, ~me.c.muted,
        or_(me.c.visibility != Visibility.INVITE_ONLY, me.c.invited, me.c.moderator,
            me.c.host))
    slowed = and_(me.c.slow_mode_seconds > 0, ~me.c.moderator, ~me.c.host)
    stamp = (
        update(Participant)
        .where(Participant.session_id == bindparam("p_session_id"),
               Participant.user_id == bindparam("p_user_id"),
               may_speak, slowed, me.c.user_role == Role.MEMBER,
               or_(Participant.last_message_at.is_(None),
                   Participant.last_message_at <= bindparam("p_now") - me.c.slow_mode_seconds
                   * literal_column("interval '1 second'")))
        .values(last_message_at=bindparam("p_now"))
        .returning(Participant.user_id).cte("stamp"))
    may_send = select(me.c.joined).where(may_speak, or_(
        ~slowed, exists(select(stamp.c.user_id)))).exists()
    bump = (
        update(LiveSession)
        .where(LiveSession.id == bindparam("p_session_id"), may_send)
        .values(last_seq=LiveSession.last_seq + 1)
        .returning(LiveSession.last_seq).cte("bump"))
    def text_(value: str):  # a constant written into the SQL (json_build_object needs types)
        return literal_column(f"'{value}'")

    role = case((me.c.moderator, text_("moderator")), (me.c.host, text_("host")),
                else_=text_("member"))
    on_record = func.json_build_object(
        text_("id"), bindparam("p_user_id"), text_("name"), me.c.display_name, text_("sector"),
        me.c.sector, text_("organisation"), me.c.organisation, text_("role"), role)
    actor = case(
        (or_(me.c.moderator, me.c.attribution == Attribution.ON_RECORD), on_record),
        (me.c.attribution == Attribution.SECTOR_ONLY,
         func.json_build_object(text_("sector"), me.c.sector, text_("role"), role)),
        else_=func.json_build_object(text_("role"), role))
    events = LiveEvent.__table__
    inserted = (
        insert(events)
        .from_select(["session_id", "seq", "type", "at", "actor_id", "actor", "data"],
                     select(bindparam("p_session_id"), bump.c.last_seq, text_("chat"),
                            bindparam("p_now"), bindparam("p_user_id"),
                            cast(actor, events.c.actor.type),
                            bindparam("p_data", type_=events.c.data.type))
                     .select_from(bump).join(me, true()), include_defaults=False)
        .returning(events.c.seq, events.c.actor).cte("event"))
    return select(inserted.c.seq, inserted.c.actor)


_CHAT_STATEMENT = _chat_statement()


def _compiled_chat_statement(dialect) -> tuple[str, tuple[str, ...], dict]:
    """The statement's SQL with numbered parameters ($1, $2 ...), the names of those
    parameters in order, and the values of its constants, made once. SQLAlchemy would
    otherwise walk the whole statement on every chat to find its cache key, and psycopg
    would parse its 4 kB of SQL for named parameters on every chat (it caches only shorter
    statements); both cost more than the chat's database work."""
    numbered = type(dialect)(paramstyle="numeric_dollar")
    compiled = _CHAT_STATEMENT.compile(dialect=numbered)
    constants = {name: value.value if isinstance(value, enum.Enum) else value
                 for name, value in compiled.params.items() if not name.startswith("p_")}
    return str(compiled), tuple(compiled.positiontup), constants


_COMPILED: dict[str, tuple[str, tuple[str, ...], dict]] = {}


def _chat_in_one_statement(user_id: int, session_id: int, body: str, sid: str,
                           now) -> Outcome | None:
    dialect = db.engine.dialect
    found = _COMPILED.get(dialect.name)
    if found is None:
        found = _COMPILED[dialect.name] = _compiled_chat_statement(dialect)
    sql, names, constants = found
    values = {**constants, "p_user_id": user_id, "p_session_id": session_id, "p_sid": sid,
              "p_now": now, "p_data": json.dumps({"body": body})}
    row = _run_by_itself(sql, [values[name] for name in names])
    if row is None:
        return None  # nothing written: `chat` gives the precise answer
    seq, actor = row
    wire = {"session_id": session_id, "seq": seq, "type": "chat", "at": now.isoformat(),
            "actor": actor, "data": {"body": body}}
    return Outcome(reply={"seq": seq}, events=[wire])


def _run_by_itself(sql: str, params: list) -> tuple | None:
    """Run one statement with numbered parameters on a connection of the app's pool, in
    autocommit (so it commits by itself), straight through psycopg, and return its first row.

    Straight through: SQLAlchemy's connection, execution context and result cost more per
    chat than psycopg's own work, and a `RawCursor` sends the SQL as it is (no parsing of
    parameter names). The connection goes back to the pool as it came (not in autocommit);
    one that broke, or was left in the middle of the statement, is dropped from the pool."""
    from psycopg import RawCursor  # noqa: PLC0415 - PostgreSQL only

    pooled = db.engine.raw_connection()
    connection = pooled.driver_connection
    try:
        connection.autocommit = True
        with RawCursor(connection) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    finally:
        try:
            connection.autocommit = False
        except Exception:  # noqa: BLE001 - not idle: never hand it out again
            pooled.invalidate()
        pooled.close()


def _may_speak(me) -> bool:
    """True only where `_in_room(..., speaking=True)` surely admits: a live session, an
    active, confirmed account that is not suspended, the socket joined, a participant neither removed
    nor muted, and (invite-only) an invitation or a role in the session. Staff of the area
    without either are left to the full rules."""
    if me.erased_at is not None or me.suspended or me.status != SessionStatus.LIVE:
        return False
    if me.email_confirmed_at is None:
        return False
    if me.joined is None or me.participant is None or me.removed or me.muted:
        return False
    return me.visibility != Visibility.INVITE_ONLY or bool(me.invited or me.moderator or
                                                           me.host)


def ask(user: User, session_id, body, sid: str) -> Outcome:
    """Ask a question from the room (see `put_question`)."""
    body = stream.clean_text(body, stream.MAX_QUESTION_CHARS)
    session, participant = _in_room(user, session_id, sid, speaking=True)
    return put_question(session, participant, user, body)


def put_question(session: LiveSession, participant: Participant, user: User,
                 body: str) -> Outcome:
    """A question by a member who may speak. In pre-moderated sessions it waits for a
    moderator, seen by its author and the moderators only, and enters the stream when
    approved. Slow mode applies."""
    _slow_mode(session, participant, user)
    pending = session.premoderate_questions and not is_staff(user, session)
    question = Question(session_id=session.id, author_id=user.id, sector=user.sector, body=body,
                        status=QuestionStatus.PENDING if pending else QuestionStatus.OPEN)
    db.session.add(question)
    db.session.flush()
    if pending:
        wire = stream.question_wire(session, question)
        db.session.commit()
        return Outcome(reply={"question_id": question.id, "status": "pending"},
                       staff=[("pending_question", {"session_id": session.id, "question": wire})])
    event = stream.append(session, "question", user, {"question": stream.question_wire(
        session, question)})
    question.seq = event.seq
    outcome = _done(event)
    outcome.reply["question_id"] = question.id
    return outcome


def upvote(user: User, question_id, sid: str) -> Outcome:
    """One upvote per member per question; not on one's own question, not on closed ones."""
    question = _question(question_id)
    session, _p = _in_room(user, question.session_id, sid, speaking=False)
    return cast_upvote(session, user, question)


def cast_upvote(session: LiveSession, user: User, question: Question) -> Outcome:
    """`upvote` once the member is known to take part (from the room or the API)."""
    if question.status != QuestionStatus.OPEN:
        raise Conflict(_("This question is not open for votes."), code="not_open")
    if question.author_id == user.id:
        raise Conflict(_("You cannot upvote your own question."), code="own_question")
    refusal = Conflict(_("You have already upvoted this question."), code="already_voted")
    if db.session.get(QuestionVote, (question.id, user.id)) is not None:
        raise refusal
    with _unique_or(refusal):
        db.session.add(QuestionVote(question_id=question.id, user_id=user.id))
        votes = db.session.execute(
            update(Question).where(Question.id == question.id)
            .values(vote_count=Question.vote_count + 1).returning(Question.vote_count)
            .execution_options(synchronize_session=False)).scalar_one()
        event = stream.append(session, "upvote", None,
                              {"question_id": question.id, "votes": votes})
        return _done(event)


def hand(user: User, session_id, raised, sid: str) -> Outcome:
    """Raise a hand to join the speaker queue, or lower it (also ends one's own turn)."""
    if not isinstance(raised, bool):
        raise InvalidInput({"raised": _("raised must be true or false.")})
    session, _p = _in_room(user, session_id, sid, speaking=False)
    current = db.session.scalar(select(SpeakerTurn).where(
        SpeakerTurn.session_id == session.id, SpeakerTurn.user_id == user.id,
        SpeakerTurn.status.in_([TurnStatus.WAITING, TurnStatus.SPEAKING])))
    if raised:
        if current is not None:
            raise Conflict(_("Your hand is already raised."), code="already_raised")
        turn = SpeakerTurn(session_id=session.id, user_id=user.id, sector=user.sector)
        db.session.add(turn)
        db.session.flush()
        data = {"turn": stream.turn_wire(session, turn), "raised": True}
    else:
        if current is None:
            raise Conflict(_("Your hand is not raised."), code="not_raised")
        current.status = TurnStatus.DONE if current.granted_at else TurnStatus.LOWERED
        current.ended_at = utcnow() if current.granted_at else None
        db.session.flush()
        data = {"turn": stream.turn_wire(session, current), "raised": False}
    data["queue"] = stream.queue_wire(session)
    event = stream.append(session, "hand", user, data)
    return _done(event)


def vote(user: User, poll_id, choice, sid: str) -> Outcome:
    """One ballot per member per poll, while it is open. `choice` is an index, or a list of
    indexes for multiple-choice polls."""
    poll = _poll(poll_id)
    session, participant = _in_room(user, poll.session_id, sid, speaking=False)
    return cast_ballot(session, participant, user, poll, choice)


def cast_ballot(session: LiveSession, participant: Participant, user: User, poll: Poll,
                choice) -> Outcome:
    """`vote` once the member is known to take part (from the room or the API)."""
    choices = clean_choice(poll, choice)
    if poll.status != PollStatus.OPEN:
        raise Conflict(_("This poll is closed."), code="poll_closed")
    refusal = Conflict(_("You have already voted in this poll."), code="already_voted")
    if db.session.get(Ballot, (poll.id, user.id)) is not None:
        raise refusal
    with _unique_or(refusal):
        db.session.add(Ballot(poll_id=poll.id, user_id=user.id, sector=participant.sector,
                              choices=choices))
        db.session.flush()
        event = stream.append(session, "vote", None, {"poll": stream.poll_wire(poll)})
        return _done(event)


@contextmanager
def _unique_or(refusal: Conflict):
    """A racing duplicate (same member, same vote) hits the primary key: refuse it cleanly."""
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise refusal from None


def clean_choice(poll: Poll, choice) -> list[int]:
    picked = choice if isinstance(choice, list) else [choice]
    n = len(poll.choices)
    valid = picked and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < n
                           for c in picked) and len(set(picked)) == len(picked)
    if not valid or (len(picked) > 1 and not poll.multiple):
        raise InvalidInput({"choice": _("Pick one of the poll's choices.")})
    return sorted(picked)


def _question(question_id) -> Question:
    if not ids.is_id(question_id):
        raise InvalidInput({"question_id": _("A question number is needed.")})
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("No such question."))
    return question


def _poll(poll_id) -> Poll:
    if not ids.is_id(poll_id):
        raise InvalidInput({"poll_id": _("A poll number is needed.")})
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise NotFound(_("No such poll."))
    return poll


def _done(*events) -> Outcome:
    wires = stream.commit(*events)
    return Outcome(reply={"seq": wires[-1]["seq"]} if wires else {}, events=wires)
