"""The quick chat path: few statements, and never a different answer from the full rules.

`live_room.quick_chat` may only admit what `live_room.chat` admits; everything else it hands
back (None, nothing written) so that `chat` refuses with its own error code."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from forum.exceptions import DomainError
from forum.extensions import db as _db
from forum.models.accounts import Sector, Suspension
from forum.models.base import utcnow
from forum.models.live import (
    Attribution,
    Connection,
    Invitation,
    LiveEvent,
    LiveSession,
    Participant,
    SessionStatus,
    Visibility,
)
from forum.services.live import room as live_room
from forum.services.live import stream
from tests import factories
from tests.live.conftest import ack, make_live_session


@contextmanager
def statements():
    """The SQL statements (and commits) sent while the block runs. On PostgreSQL they are
    counted at the driver (psycopg), which the quick path talks to directly."""
    seen: list[str] = []

    def note(statement) -> None:
        text = statement if isinstance(statement, str) else bytes(statement).decode()
        seen.append(text.split(None, 1)[0].upper())

    if _db.engine.dialect.name == "postgresql":
        import psycopg

        execute, commit = psycopg.Cursor.execute, psycopg.Connection.commit

        def on_execute(cursor, query, *args, **kwargs):
            note(query)
            return execute(cursor, query, *args, **kwargs)

        def on_commit(connection):
            seen.append("COMMIT")
            return commit(connection)

        psycopg.Cursor.execute, psycopg.Connection.commit = on_execute, on_commit
        try:
            yield seen
        finally:
            psycopg.Cursor.execute, psycopg.Connection.commit = execute, commit
        return

    def on_cursor_execute(conn, cursor, statement, *args):
        note(statement)

    def on_engine_commit(conn):
        seen.append("COMMIT")

    event.listen(_db.engine, "before_cursor_execute", on_cursor_execute)
    event.listen(_db.engine, "commit", on_engine_commit)
    try:
        yield seen
    finally:
        event.remove(_db.engine, "before_cursor_execute", on_cursor_execute)
        event.remove(_db.engine, "commit", on_engine_commit)


@pytest.mark.parametrize("slow_mode", [0, 30])
def test_a_chat_costs_one_statement_on_postgresql_else_three_and_a_commit(db, live_client,
                                                                          slow_mode):
    """On PostgreSQL one statement that commits by itself (one round trip); on SQLite the
    checks, the slow-mode stamp (under slow mode), the seq, the event and the commit."""
    session = make_live_session(slow_mode_seconds=slow_mode)
    client = live_client(factories.make_user())
    assert ack(client, "join", {"session_id": session.id})["ok"]
    db.session.remove()  # as on a server, where each event starts with an empty session
    with statements() as seen:
        assert ack(client, "chat", {"session_id": session.id, "body": "hi"}) == {
            "ok": True, "seq": 1}
    if _db.engine.dialect.name == "postgresql":
        assert seen == ["WITH"]
    else:
        writes = ["UPDATE", "UPDATE", "INSERT"] if slow_mode else ["UPDATE", "INSERT"]
        assert seen == ["SELECT", *writes, "COMMIT"]
    stored = _db.session.scalars(select(LiveEvent).where(LiveEvent.session_id == session.id))
    assert [(e.seq, e.type, e.data) for e in stored] == [(1, "chat", {"body": "hi"})]
    if slow_mode:
        assert _db.session.get(Participant, (session.id, _participant_of(session))) \
            .last_message_at is not None


def _participant_of(session) -> int:
    return _db.session.scalar(select(Participant.user_id).where(
        Participant.session_id == session.id))


def _member_in_room(session, user=None, *, muted=False, removed=False, joined=True):
    user = user or factories.make_user()
    _db.session.add(Participant(session_id=session.id, user_id=user.id, sector=user.sector,
                                muted=muted, removed=removed))
    if joined:
        _db.session.add(Connection(sid=f"sid-{user.id}", session_id=session.id,
                                   user_id=user.id))
    _db.session.commit()
    return user


def _suspend(user, **fields):
    by = factories.make_moderator()
    _db.session.add(Suspension(user_id=user.id, reason="Spam", created_by_id=by.id, **fields))
    _db.session.commit()


def _case(name):
    """(session, member) for each situation; see CASES."""
    now = utcnow()
    if name in ("ended", "scheduled"):
        status = SessionStatus.ENDED if name == "ended" else SessionStatus.SCHEDULED
        session = make_live_session(status=status)
        return session, _member_in_room(session)
    if name.startswith("invite_only"):
        session = make_live_session(visibility=Visibility.INVITE_ONLY)
        moderator = factories.make_moderator() if name.endswith("area_moderator") else None
        user = _member_in_room(session, moderator)
        if name == "invite_only_invited":
            _db.session.add(Invitation(session_id=session.id, user_id=user.id))
            _db.session.commit()
        return session, user
    session = make_live_session()
    if name == "not_joined":
        return session, _member_in_room(session, joined=False)
    if name == "never_joined":
        return session, factories.make_user()
    if name in ("muted", "removed"):
        return session, _member_in_room(session, **{name: True})
    user = _member_in_room(session)
    if name == "suspended":
        _suspend(user)
    elif name == "suspended_until_tomorrow":
        _suspend(user, ends_at=now + timedelta(days=1))
    elif name == "suspension_over":
        _suspend(user, ends_at=now - timedelta(minutes=1))
    elif name == "suspension_lifted":
        _suspend(user, lifted_at=now - timedelta(minutes=1))
    elif name == "erased":
        user.erased_at = now
        _db.session.commit()
    return session, user


# situation -> "quick" (the quick path admits), "full" (left to `chat`, which admits), or
# the code `chat` refuses with
CASES = {
    "ordinary": "quick",
    "suspension_over": "quick",
    "suspension_lifted": "quick",
    "invite_only_invited": "quick",
    "invite_only": "forbidden",
    "invite_only_area_moderator": "full",
    "not_joined": "not_joined",
    "never_joined": "not_joined",
    "muted": "muted",
    "removed": "removed",
    "suspended": "forbidden",
    "suspended_until_tomorrow": "forbidden",
    "erased": "forbidden",
    "ended": "forbidden",
    "scheduled": "forbidden",
}


def _events() -> int:
    _db.session.rollback()
    return _db.session.scalar(select(func.count()).select_from(LiveEvent))


@pytest.mark.parametrize("name", list(CASES))
def test_quick_path_admits_only_what_chat_admits(db, name):
    session, user = _case(name)
    sid, session_id, user_id = f"sid-{user.id}", session.id, user.id
    outcome = live_room.quick_chat(user_id, session_id, "hello", sid)
    if CASES[name] == "quick":
        assert outcome is not None and outcome.reply == {"seq": 1}
        assert _events() == 1
        return
    assert outcome is None
    assert _events() == 0
    if CASES[name] == "full":
        live_room.chat(db.session.get(type(user), user_id), session_id, "hello", sid)
        assert _events() == 1
        return
    with pytest.raises(DomainError) as refused:
        live_room.chat(db.session.get(type(user), user_id), session_id, "hello", sid)
    assert refused.value.code == CASES[name]


@pytest.mark.parametrize("payload", [
    {"session_id": "1", "body": "x"}, {"session_id": True, "body": "x"},
    {"session_id": 1, "body": "   "}, {"session_id": 1, "body": ["x"]},
    {"session_id": 1, "body": "x" * (stream.MAX_CHAT_CHARS + 1)}, {"session_id": 999, "body": "x"},
])
def test_quick_path_leaves_bad_payloads_to_chat(db, payload):
    session = make_live_session(id=1)
    user = _member_in_room(session)
    assert live_room.quick_chat(user.id, payload["session_id"], payload["body"],
                                f"sid-{user.id}") is None
    assert live_room.quick_chat(None, 1, "x", f"sid-{user.id}") is None
    assert _events() == 0


@pytest.mark.parametrize("attribution", list(Attribution))
@pytest.mark.parametrize("role", ["member", "host", "moderator"])
def test_quick_path_shows_the_actor_as_the_full_path_does(db, attribution, role):
    moderator, host = factories.make_moderator(), factories.make_user(sector=Sector.ACADEMIA)
    session = make_live_session(moderator=moderator, hosts=[host], attribution=attribution)
    user = {"member": None, "host": host, "moderator": moderator}[role]
    user = _member_in_room(session, user)
    outcome = live_room.quick_chat(user.id, session.id, "hello", f"sid-{user.id}")
    expected = stream.shown(db.session.get(LiveSession, session.id), user)
    assert outcome.events[0]["actor"] == expected
    assert outcome.events[0]["data"] == {"body": "hello"}
    stored = db.session.scalars(select(LiveEvent)).one()
    assert (stored.actor, stored.actor_id, stored.type) == (expected, user.id, "chat")
    assert stored.as_wire() == outcome.events[0]


def test_slow_mode_on_the_quick_path(db):
    session = make_live_session(slow_mode_seconds=30)
    user = _member_in_room(session)
    sid = f"sid-{user.id}"
    assert live_room.quick_chat(user.id, session.id, "one", sid) is not None
    assert live_room.quick_chat(user.id, session.id, "two", sid) is None
    with pytest.raises(DomainError) as refused:
        live_room.chat(user, session.id, "two", sid)
    assert refused.value.code == "slow_mode"
    participant = db.session.get(Participant, (session.id, user.id))
    participant.last_message_at = utcnow() - timedelta(seconds=31)
    db.session.commit()
    assert live_room.quick_chat(user.id, session.id, "three", sid) is not None
    assert [e.data["body"] for e in db.session.scalars(
        select(LiveEvent).order_by(LiveEvent.seq))] == ["one", "three"]


def test_area_moderator_under_slow_mode_goes_the_full_way_and_is_exempt(db):
    session = make_live_session(slow_mode_seconds=30)
    area_moderator = _member_in_room(session, factories.make_moderator())
    sid = f"sid-{area_moderator.id}"
    assert live_room.quick_chat(area_moderator.id, session.id, "one", sid) is None
    for body in ("one", "two"):
        live_room.chat(area_moderator, session.id, body, sid)
    assert _events() == 2
