"""The demo has an upcoming session, a live one any member can join, and an archived one."""
from __future__ import annotations

from sqlalchemy import select

from forum.models.live import LiveSession, SessionStatus, Visibility
from forum.services.demo import live, people
from tests import factories
from tests.live.conftest import ack


def test_demo_sessions_cover_upcoming_live_and_archived(db, live_client):
    factories.focus_area()
    cast = people.ensure_people()
    assert live.add(cast)
    sessions = {s.status: s for s in db.session.scalars(select(LiveSession))}
    assert set(sessions) == {SessionStatus.SCHEDULED, SessionStatus.LIVE, SessionStatus.ENDED}
    assert sessions[SessionStatus.ENDED].archive_thread_id is not None
    now = sessions[SessionStatus.LIVE]
    assert now.visibility == Visibility.PUBLIC
    newcomer = live_client(factories.make_user())
    reply = ack(newcomer, "join", {"session_id": now.id, "after_seq": 0})
    assert reply["ok"] and reply["state"]["questions"] and reply["state"]["polls"]
    assert [e["seq"] for e in reply["events"]] == list(range(1, now.last_seq + 1))
