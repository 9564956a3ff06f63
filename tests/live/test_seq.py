"""Seq allocation under concurrent senders: no gaps, no duplicates, every event stored."""
from __future__ import annotations

import threading

from sqlalchemy import select

from forum.extensions import db as _db
from forum.models.live import Connection, LiveEvent, LiveSession, Participant
from forum.services.live import room as live_room
from tests import factories
from tests.live.conftest import make_live_session

SENDERS = 6
MESSAGES = 20


def test_concurrent_senders_get_gapless_unique_seqs(app, db):
    session = make_live_session()
    users = [factories.make_user() for _ in range(SENDERS)]
    for n, user in enumerate(users):
        db.session.add(Participant(session_id=session.id, user_id=user.id, sector=user.sector))
        db.session.add(Connection(sid=f"sid-{n}", session_id=session.id, user_id=user.id))
    db.session.commit()
    ids, session_id = [u.id for u in users], session.id
    acked: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(SENDERS)

    def send(n: int) -> None:
        with app.app_context():
            try:
                user = _db.session.get(type(users[0]), ids[n])
                start.wait()
                for m in range(MESSAGES):
                    out = live_room.chat(user, session_id, f"{n}:{m}", f"sid-{n}")
                    acked.append(out.reply["seq"])
            except BaseException as err:  # noqa: BLE001 - reported below
                errors.append(err)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    total = SENDERS * MESSAGES
    assert sorted(acked) == list(range(1, total + 1))
    db.session.expire_all()
    stored = db.session.scalars(select(LiveEvent.seq).where(LiveEvent.session_id == session_id)
                                .order_by(LiveEvent.seq)).all()
    assert stored == list(range(1, total + 1))
    assert db.session.get(LiveSession, session_id).last_seq == total
    bodies = db.session.scalars(select(LiveEvent.data)).all()
    assert len({b["body"] for b in bodies}) == total


def test_failed_action_leaves_no_gap(db, live_client):
    session = make_live_session()
    member = factories.make_user()
    client = live_client(member)
    assert client.emit("join", {"session_id": session.id}, namespace="/live", callback=True)["ok"]
    assert client.emit("chat", {"session_id": session.id, "body": "one"}, namespace="/live",
                       callback=True)["seq"] == 1
    bad = client.emit("upvote", {"question_id": 999}, namespace="/live", callback=True)
    assert bad["ok"] is False
    assert client.emit("chat", {"session_id": session.id, "body": "two"}, namespace="/live",
                       callback=True)["seq"] == 2
