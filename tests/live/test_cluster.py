"""Issue 16: the production layout, run for real. HAProxy (cookie-sticky) in front of three
gevent server processes and a worker (deploy/cluster.py, as `make cluster` starts it), on
PostgreSQL, with a Redis server of the test's own. Members sign in and post through the load
balancer and follow one live session from every process; chat through any process reaches
everyone once, in seq order, also while a process is killed, Redis restarts or every process
is restarted in turn."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from forum.extensions import db as _db
from forum.models.live import Connection
from forum.services import accounts
from tests import factories
from tests.conftest import skip_or_fail
from tests.live.cluster import (
    PRESENCE_TIMEOUT,
    LBFollower,
    Loader,
    RedisServer,
    cluster_module,
    cookie_header,
    make_cluster,
    post_reply,
    sign_in,
)
from tests.live.conftest import make_live_session
from tests.live.test_churn import _everyone_has_the_stream, _send_until_answered, _until

pytestmark = [pytest.mark.transport, pytest.mark.cluster]

SERVERS = 3
PACE = 0.02  # seconds between chats


@pytest.fixture
def cluster(tapp, database_url, tmp_path):
    """A started cluster on the suite's PostgreSQL database and a Redis of its own."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("the cluster runs on PostgreSQL (the suite's PostgreSQL pass runs it)")
    try:
        cluster_module.haproxy_binary()
    except SystemExit as err:
        skip_or_fail(str(err))
    redis_server = RedisServer().start()
    made = make_cluster(database_url, redis_server.url, tmp_path / "cluster", SERVERS)
    made.redis_server = redis_server
    try:
        made.start(migrate=False, seed=False)  # the suite made the schema
        yield made
    finally:
        made.stop()
        redis_server.stop()


@pytest.fixture
def crowd(tapp, cluster):
    """crowd(session_id) -> followers spread over the processes: on each one a member
    signed in with a browser session (who also posts a reply) and two with access tokens,
    all over websocket, pinned by cookie; and one long-polling client HAProxy places."""
    made: list[LBFollower] = []

    def build(session_id: int, thread_id: int | None = None) -> list[LBFollower]:
        for pin in range(1, SERVERS + 1):
            member = factories.make_user()
            browser = sign_in(cluster, member, pin)
            if thread_id is not None:
                assert post_reply(cluster, browser, thread_id, f"Reply via s{pin}") == 302
            made.append(LBFollower(cluster, session_id, cookies=cookie_header(browser),
                                   pin=pin))
            for _ in range(2):
                made.append(LBFollower(cluster, session_id, token=_token(), pin=pin))
        for _ in range(2):
            made.append(LBFollower(cluster, session_id, token=_token(), transport="polling"))
        return made

    yield build
    for follower in made:
        follower.close()


def _token() -> str:
    _token_row, secret = accounts.create_token(factories.make_user(), "cluster test",
                                               ("read", "write"))
    return secret


def _presence(session_id: int) -> set[str]:
    _db.session.rollback()
    return set(_db.session.scalars(select(Connection.sid).where(
        Connection.session_id == session_id)))


def _chat_stream(sender, n: int, prefix: str, acked: dict) -> None:
    for i in range(n):
        acked.update(_send_until_answered(sender, f"{prefix} {i}"))
        time.sleep(PACE)


def _spread(cluster) -> dict[str, int]:
    return {name: int(row["scur"]) for name, row in cluster.stats().items()}


def test_chat_through_every_process_and_a_process_killed_mid_session(cluster, crowd):
    thread = factories.make_thread()
    session = make_live_session()
    everyone = crowd(session.id, thread.id)
    # Every process holds sockets of the session (websockets pinned, long-polls placed).
    spread = _spread(cluster)
    assert all(spread[f"s{n}"] >= 3 for n in range(1, SERVERS + 1)), spread
    assert all(f.served_by for f in everyone if f.transport == "polling")
    # Chat through every process: everyone gets every message once, in seq order.
    acked: dict[int, str] = {}
    for follower in everyone:
        acked[follower.chat(f"hello from {follower.pin or follower.served_by}")] = "x"
    stored = _everyone_has_the_stream(everyone, session.id, seed=0)
    assert len(stored) == len(everyone)

    # Kill -9 process 1 in the middle of a chat stream sent through process 2, while HTTP
    # requests go on through process 3.
    doomed = [f for f in everyone if f.pin == 1 or f.served_by == "s1"]
    doomed_sids = {f.sid for f in doomed}
    sender = next(f for f in everyone if f.pin == 2 and f.token)
    loader = Loader(cluster, "/", pin=3)
    done: dict[int, str] = {}
    stream = threading.Thread(target=_chat_stream, args=(sender, 60, "during", done))
    stream.start()
    time.sleep(0.5)
    cluster.kill_server(1)
    stream.join(60)
    loader.stop()
    assert not stream.is_alive()
    stored = _everyone_has_the_stream(everyone, session.id, seed=0)
    assert {body for _seq, body in stored} >= set(done.values())
    assert all(f.connections >= 2 for f in doomed), "its clients came back through HAProxy"
    assert loader.errors == [] and loader.statuses and set(loader.statuses) == {200}
    # Presence forgets the dead process's sockets within 4/3 of FORUM_PRESENCE_TIMEOUT
    # (plus the time a reconnect takes); the open sockets stay.
    assert _until(lambda: not (_presence(session.id) & doomed_sids),
                  timeout=PRESENCE_TIMEOUT * 4 / 3 + 5)
    assert _until(lambda: _presence(session.id) == {f.sid for f in everyone}, timeout=10)

    # Restarted, process 1 takes clients again.
    cluster.start_server(1)
    cluster.wait_state(1, "UP")
    newcomer = LBFollower(cluster, session.id, token=_token(), pin=1)
    try:
        everyone.append(newcomer)
        newcomer.chat("back on s1")
        assert _spread(cluster)["s1"] >= 1
        _everyone_has_the_stream(everyone, session.id, seed=0)
    finally:
        everyone.remove(newcomer)
        newcomer.close()


def test_redis_restarting_mid_session_loses_nothing(cluster, crowd):
    session = make_live_session()
    everyone = crowd(session.id)
    sender = next(f for f in everyone if f.pin == 2 and f.token)
    done: dict[int, str] = {}
    stream = threading.Thread(target=_chat_stream, args=(sender, 150, "chat", done))
    stream.start()
    time.sleep(0.8)
    cluster.redis_server.restart()
    stream.join(90)
    assert not stream.is_alive()
    # A few more after Redis is back, so every client notices what it missed.
    for n in range(5):
        done.update(_send_until_answered(sender, f"after {n}"))
        time.sleep(0.3)
    stored = _everyone_has_the_stream(everyone, session.id, seed=0)
    assert {body for _seq, body in stored} == set(done.values())
    assert sum(f.gap_joins for f in everyone) > 0, "the restart did cost live messages"
    loader = Loader(cluster, "/healthz")
    time.sleep(1)
    loader.stop()
    assert set(loader.statuses) == {200}, "every process talks to Redis again"


def test_rolling_restart_loses_nothing_and_answers_every_request(cluster, crowd):
    session = make_live_session()
    everyone = crowd(session.id)
    sender = next(f for f in everyone if f.pin == 2 and f.token)
    loaders = [Loader(cluster, "/"), Loader(cluster, "/healthz"), Loader(cluster, "/", pin=1)]
    done: dict[int, str] = {}
    stop = threading.Event()

    def chat_on() -> None:
        n = 0
        while not stop.is_set():
            done.update(_send_until_answered(sender, f"chat {n}"))
            n += 1
            time.sleep(PACE)

    stream = threading.Thread(target=chat_on)
    stream.start()
    try:
        cluster.rolling_restart()
        time.sleep(1)
    finally:
        stop.set()
        stream.join(60)
        for loader in loaders:
            loader.stop()
    stored = _everyone_has_the_stream(everyone, session.id, seed=0)
    assert {body for _seq, body in stored} == set(done.values()), "nothing lost"
    assert len(done) > 20
    assert all(f.connections >= 2 for f in everyone), "every client moved at least once"
    for loader in loaders:
        assert loader.errors == [], loader.errors[:3]
        assert loader.statuses and max(loader.statuses) < 500, sorted(set(loader.statuses))
