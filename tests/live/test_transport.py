"""The live room over a real server process (serve.py, gevent) and real websocket clients."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import redis
import socketio
from sqlalchemy import func, select, update

from forum.blueprints.live.events import SocketRegistry
from forum.extensions import db as _db
from forum.models.accounts import Sector, Suspension
from forum.models.base import utcnow
from forum.models.live import (
    Ballot,
    Connection,
    LiveEvent,
    Participant,
    Question,
    Visibility,
)
from tests import factories
from tests.live.conftest import make_live_session, transport_redis_url
from tests.live.transport import Client

pytestmark = pytest.mark.transport


def _stored(model=LiveEvent) -> int:
    _db.session.rollback()
    return _db.session.scalar(select(func.count()).select_from(model))


def _joined(clients, server, session, user, **kwargs) -> Client:
    client = clients(server, user, **kwargs)
    assert client.call("join", {"session_id": session.id})["ok"]
    return client


@pytest.mark.parametrize(("auth", "code"), [({"token": "rds_not-a-token"}, "bad_token"),
                                             (None, "unauthorized")])
def test_a_refused_connection_says_why(servers, auth, code):
    server = servers()
    refusals: list = []
    sio = socketio.Client(reconnection=False)
    sio.on("connect_error", refusals.append, namespace="/live")
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(server.url, namespaces=["/live"], transports=["websocket"], auth=auth,
                    wait_timeout=10)
    sio.shutdown()
    [refusal] = refusals
    assert set(refusal) == {"message", "data"} and refusal["data"]["code"] == code
    assert refusal["message"] == refusal["data"]["message"] != ""


def test_two_clients_see_each_others_chat(servers, clients):
    server = servers()
    session = make_live_session()
    anna, omar = factories.make_user(), factories.make_user()
    a, o = _joined(clients, server, session, anna), _joined(clients, server, session, omar)
    assert a.call("chat", {"session_id": session.id, "body": "from anna"})["ok"]
    assert o.call("chat", {"session_id": session.id, "body": "from omar"})["ok"]
    for client in (a, o):
        assert client.wait_for(lambda c=client: len(c.events) == 2)
        assert [(e["seq"], e["data"]["body"]) for e in client.events] == [
            (1, "from anna"), (2, "from omar")]


def test_reconnect_with_after_seq_gets_exactly_the_missed_events(servers, clients):
    server = servers()
    session = make_live_session()
    anna, omar = factories.make_user(), factories.make_user()
    a, o = _joined(clients, server, session, anna), _joined(clients, server, session, omar)
    assert a.call("chat", {"session_id": session.id, "body": "seen"})["ok"]
    assert o.wait_for(lambda: len(o.events) == 1)
    last_seen = o.events[-1]["seq"]
    o.close()
    for n in range(3):
        assert a.call("chat", {"session_id": session.id, "body": f"missed {n}"})["ok"]
    back = clients(server, omar)
    reply = back.call("join", {"session_id": session.id, "after_seq": last_seen})
    assert [(e["seq"], e["data"]["body"]) for e in reply["events"]] == [
        (2, "missed 0"), (3, "missed 1"), (4, "missed 2")]
    assert a.call("chat", {"session_id": session.id, "body": "live again"})["ok"]
    assert back.wait_for(lambda: len(back.events) == 1)
    assert back.events[0]["seq"] == 5


def test_server_restart_loses_nothing(servers, clients):
    server = servers()
    session = make_live_session()
    anna, omar = factories.make_user(), factories.make_user()
    a = _joined(clients, server, session, anna, reconnection=True)
    o = _joined(clients, server, session, omar)
    qid = a.call("ask", {"session_id": session.id, "body": "Budget?"})["question_id"]
    assert o.call("upvote", {"question_id": qid})["ok"]
    assert o.call("chat", {"session_id": session.id, "body": "before restart"})["ok"]
    assert a.wait_for(lambda: len(a.events) == 3)
    server.stop()
    assert a.wait_for(lambda: not a.connected)
    server.start()
    assert a.wait_for(lambda: a.connected, timeout=15)
    reply = a.call("join", {"session_id": session.id, "after_seq": 0})
    assert [e["seq"] for e in reply["events"]] == [1, 2, 3]
    state = reply["state"]
    assert state["last_seq"] == 3
    assert [(q["id"], q["votes"]) for q in state["questions"]] == [(qid, 1)]
    assert a.call("chat", {"session_id": session.id, "body": "after restart"})["seq"] == 4


def test_room_rules_hold_over_the_wire(servers, clients):
    server = servers()
    mod = factories.make_moderator()
    invited, stranger, muted, removed, suspended = (factories.make_user() for _ in range(5))
    _db.session.add(Suspension(user_id=suspended.id, reason="Spam", created_by_id=mod.id))
    _db.session.commit()
    session = make_live_session(moderator=mod, visibility=Visibility.INVITE_ONLY,
                                invitees=[invited, muted, removed, suspended])
    m = _joined(clients, server, session, mod)
    assert _joined(clients, server, session, invited)
    assert clients(server, stranger).call("join", {"session_id": session.id})["error"][
        "code"] == "forbidden"
    assert clients(server, suspended).call("join", {"session_id": session.id})["error"][
        "code"] == "forbidden"
    mu = _joined(clients, server, session, muted)
    assert m.call("moderate", {"session_id": session.id, "action": "mute",
                               "user_id": muted.id})["ok"]
    assert mu.call("chat", {"session_id": session.id, "body": "x"})["error"]["code"] == "muted"
    rm = _joined(clients, server, session, removed)
    assert m.call("moderate", {"session_id": session.id, "action": "remove",
                               "user_id": removed.id, "reason": "Abuse"})["ok"]
    assert rm.wait_for(lambda: not rm.connected)
    assert clients(server, removed).call("join", {"session_id": session.id})["error"][
        "code"] == "removed"
    assert m.call("moderate", {"session_id": session.id, "action": "slow_mode",
                               "seconds": 60})["ok"]
    guest = clients(server, invited)
    assert guest.call("join", {"session_id": session.id})["ok"]
    assert guest.call("chat", {"session_id": session.id, "body": "first"})["ok"]
    assert guest.call("chat", {"session_id": session.id, "body": "second"})["error"][
        "code"] == "slow_mode"
    _db.session.rollback()
    bodies = [e.data.get("body") for e in _db.session.scalars(
        select(LiveEvent).where(LiveEvent.type == "chat"))]
    assert bodies == ["first"]


def test_poll_takes_one_vote_per_member_over_the_wire(servers, clients):
    server = servers()
    mod = factories.make_moderator()
    session = make_live_session(moderator=mod)
    m = _joined(clients, server, session, mod)
    voter = _joined(clients, server, session, factories.make_user(sector=Sector.ACADEMIA))
    poll = m.call("moderate", {"session_id": session.id, "action": "open_poll",
                               "question": "More housing?", "choices": ["Yes", "No", "Unsure"]})
    assert voter.call("vote", {"poll_id": poll["poll_id"], "choice": 2})["ok"]
    assert voter.call("vote", {"poll_id": poll["poll_id"], "choice": 0})["error"]["code"] == \
        "already_voted"
    assert _stored(Ballot) == 1
    assert m.wait_for(lambda: any(e["type"] == "vote" for e in m.events))
    vote = [e for e in m.events if e["type"] == "vote"][0]
    assert vote["data"]["poll"]["results"]["by_sector"] == {"academia": [0, 0, 1]}


BAD = [
    ("chat", {"session_id": 1}),
    ("chat", {"body": "no session"}),
    ("chat", {"session_id": "one", "body": "wrong type"}),
    ("chat", {"session_id": 1, "body": ["list"]}),
    ("chat", {"session_id": 1, "body": "x" * 100 * 1024}),
    ("chat", {"session_id": 424242, "body": "unknown session"}),
    ("ask", {"session_id": 1, "body": None}),
    ("upvote", {"question_id": 424242}),
    ("upvote", {"question_id": "1"}),
    ("vote", {"poll_id": 424242, "choice": 0}),
    ("hand", {"session_id": 1, "raised": "yes"}),
    ("moderate", {"session_id": 1, "action": "explode"}),
    ("join", {"session_id": 424242}),
    ("chat", "not an object"),
    ("chat", None),
]


def test_bad_payloads_get_error_acks_keep_the_connection_and_store_nothing(servers, clients):
    server = servers()
    session = make_live_session(id=1)
    early = clients(server, factories.make_user())
    before_join = early.call("chat", {"session_id": 1, "body": "before join"})
    assert before_join["error"]["code"] == "not_joined"
    client = _joined(clients, server, session, factories.make_user())
    for event, payload in BAD:
        reply = client.call(event, payload)
        assert reply["ok"] is False, (event, payload, reply)
        assert set(reply["error"]) >= {"code", "message"}
        assert client.connected
    assert _stored(LiveEvent) == 0 and _stored(Question) == 0
    assert client.call("chat", {"session_id": 1, "body": "still connected"})["seq"] == 1


def _presence_rows() -> list[int]:
    _db.session.rollback()
    return sorted(_db.session.scalars(select(Connection.user_id)))


def test_restart_forgets_the_presence_of_sockets_that_died(servers, clients):
    server = servers()
    session = make_live_session()
    anna, omar = factories.make_user(), factories.make_user()
    a = _joined(clients, server, session, anna, reconnection=True)
    _joined(clients, server, session, omar)  # never comes back after the restart
    assert _presence_rows() == sorted([anna.id, omar.id])
    server.proc.kill()  # dies without closing anything
    server.proc.wait(5)
    server.stop()
    server.start()
    assert a.wait_for(lambda: a.connected, timeout=15)
    reply = a.call("join", {"session_id": session.id, "after_seq": 0})
    assert reply["presence"]["count"] == 1
    assert _presence_rows() == [anna.id]


def test_with_redis_dead_presence_goes_and_live_presence_stays(servers, clients):
    """Several processes: a new one forgets only rows that no live process holds (and that
    are older than a minute, so a join through another process is never raced)."""
    redis_url = transport_redis_url()
    one = servers(redis_url=redis_url)
    session = make_live_session()
    anna, ghost, fresh = (factories.make_user() for _ in range(3))
    _joined(clients, one, session, anna)
    long_ago = utcnow() - timedelta(minutes=5)
    for sid, user in (("died-long-ago", ghost), ("joined-just-now", fresh)):
        _db.session.add(Participant(session_id=session.id, user_id=user.id, sector=user.sector))
        _db.session.add(Connection(sid=sid, session_id=session.id, user_id=user.id,
                                   connected_at=long_ago if user is ghost else utcnow()))
    _db.session.execute(update(Connection).where(Connection.user_id == anna.id)
                        .values(connected_at=long_ago))
    _db.session.commit()
    # Redis has held the socket sets for longer than their lifetime (otherwise a missing set
    # says nothing yet and no row may go): whether an earlier test left the key that says so
    # must not decide this one.
    redis.Redis.from_url(redis_url).set(SocketRegistry.SINCE, time.time() - 3600)
    two = servers(redis_url=redis_url)
    omar = factories.make_user()
    _joined(clients, two, session, omar)
    assert _presence_rows() == sorted([anna.id, fresh.id, omar.id])


def test_two_servers_share_rooms_through_redis(servers, clients):
    redis_url = transport_redis_url()
    one, two = servers(redis_url=redis_url), servers(redis_url=redis_url)
    session = make_live_session()
    a = _joined(clients, one, session, factories.make_user())
    b = _joined(clients, two, session, factories.make_user())
    assert a.call("chat", {"session_id": session.id, "body": "across servers"})["ok"]
    assert b.wait_for(lambda: any(e["data"].get("body") == "across servers" for e in b.events))
