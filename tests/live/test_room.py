"""The live room through the Socket.IO test client: joining, chat, questions, votes, hands."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.models.live import LiveEvent, Question, QuestionVote
from tests import factories
from tests.live.conftest import ack, events


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_chat_reaches_others_in_the_room_with_seq(db, live_client, live_session):
    session = live_session()
    anna, omar = factories.make_user(), factories.make_user()
    a, o = live_client(anna), live_client(omar)
    assert ack(a, "join", {"session_id": session.id})["ok"]
    assert ack(o, "join", {"session_id": session.id})["ok"]
    a.get_received("/live"), o.get_received("/live")
    reply = ack(a, "chat", {"session_id": session.id, "body": "Hello room"})
    assert reply == {"ok": True, "seq": 1}
    got = events(o)
    assert [(e["seq"], e["type"], e["data"]["body"]) for e in got] == [(1, "chat", "Hello room")]
    assert got[0]["actor"]["name"] == anna.display_name
    stored = db.session.scalars(select(LiveEvent)).all()
    assert [(e.seq, e.type, e.actor_id) for e in stored] == [(1, "chat", anna.id)]
