"""Issue 17: many websocket clients drop and rejoin while a stream of chats goes on, over real
server processes (serve.py, gevent). Every client must end with every seq once and in order,
every call must be answered, presence must end with exactly the open sockets, and the server
must never read websocket frames as HTTP requests (nor log a traceback).

The random choices (who drops when, how, where the server is killed) come from one seed, shown
in every failure; FORUM_TEST_SEED=N replays a run."""
from __future__ import annotations

import os
import queue
import random
import threading
import time

import pytest
from sqlalchemy import select

from forum.extensions import db as _db
from forum.models.live import Connection, LiveEvent
from tests import factories
from tests.live.conftest import make_live_session, transport_redis_url
from tests.live.transport import Dropped, Follower, Server

pytestmark = pytest.mark.transport

FOLLOWERS = 20
CHATS = 200
DROP_RATE = 1 / 20  # per follower and chat: each drops about ten times in a run
KINDS = ("leave", "cut", "rejoin")
PACE = 0.02  # seconds between chats, so the drops happen during the stream


def _rng(default: int) -> tuple[int, random.Random]:
    seed = int(os.environ.get("FORUM_TEST_SEED", default))
    return seed, random.Random(seed)


class Churn:
    """Drops followers at random, each in a worker thread of its own, so one follower drops
    again only once it is back; which one drops, how and where to comes from `rng` alone."""

    def __init__(self, followers: list[Follower], rng: random.Random,
                 servers: list[Server]) -> None:
        self.rng, self.servers = rng, servers
        self.queues = {f: queue.Queue() for f in followers}
        self.done: list[str] = []
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._work, args=(f, q), daemon=True)
                        for f, q in self.queues.items()]
        for thread in self.threads:
            thread.start()

    def maybe_drop(self) -> None:
        for q in self.queues.values():
            if self.rng.random() < DROP_RATE:
                q.put((self.rng.choice(KINDS), self.rng.choice(self.servers)))

    def _work(self, follower: Follower, q: queue.Queue) -> None:
        while (item := q.get()) is not None:
            kind, server = item
            try:
                follower.drop(kind, server)
            except Exception as err:  # noqa: BLE001 - every failure is reported by the test
                self.errors.append(f"{kind}: {err!r}\n  " + "\n  ".join(follower.log.lines))
            else:
                self.done.append(kind)

    def finish(self, timeout: float = 30) -> None:
        for q in self.queues.values():
            q.put(None)
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.errors += ["a follower was still dropping at the end"
                        for thread in self.threads if thread.is_alive()]


def _stored(session_id: int) -> list[tuple[int, str | None]]:
    _db.session.rollback()
    rows = _db.session.execute(select(LiveEvent.seq, LiveEvent.type, LiveEvent.data).where(
        LiveEvent.session_id == session_id).order_by(LiveEvent.seq))
    return [(seq, data.get("body") if type_ == "chat" else None) for seq, type_, data in rows]


def _presence(session_id: int) -> set[str]:
    _db.session.rollback()
    return set(_db.session.scalars(select(Connection.sid).where(
        Connection.session_id == session_id)))


def _until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


def _everyone_has_the_stream(everyone: list[Follower], session_id: int, seed: int) -> list:
    """Waits until every follower has the whole stored stream, then checks it is exactly that:
    every seq once, in order, with the stored bodies. Returns the stream."""
    stored = _stored(session_id)
    assert [seq for seq, _body in stored] == list(range(1, len(stored) + 1)), f"seed {seed}"
    _until(lambda: all(f.last >= len(stored) for f in everyone), timeout=20)
    for n, follower in enumerate(everyone):
        assert follower.applied == stored, (
            f"seed {seed}: follower {n} applied {len(follower.applied)} of {len(stored)}")
        assert follower.failures == [], f"seed {seed}: follower {n}"
    return stored


def _presence_is_the_open_sockets(everyone: list[Follower], session_id: int, seed: int) -> None:
    open_sockets = {f.sid for f in everyone}
    assert _until(lambda: _presence(session_id) == open_sockets, timeout=10), (
        f"seed {seed}: presence {len(_presence(session_id))} rows, open {len(open_sockets)}")


def _clean_logs(servers, seed: int, *logs: str) -> None:
    for server in servers:
        assert server.problems() == [], f"seed {seed}"
    for log in logs:
        assert [line for line in log.splitlines() if Server.PROBLEMS.search(line)] == [], \
            f"seed {seed}"


def _churn_run(servers, followers, seed: int, rng: random.Random, **session) -> None:
    """The issue's run: one sender chatting CHATS times while FOLLOWERS others drop and rejoin,
    spread over `servers`; then everything the tests promise is checked."""
    session = make_live_session(**session)
    people = [factories.make_user() for _ in range(FOLLOWERS + 1)]
    sender = followers(servers[0], people[0], session.id)
    crowd = [followers(servers[n % len(servers)], person, session.id)
             for n, person in enumerate(people[1:])]
    churn = Churn(crowd, rng, servers)
    for n in range(CHATS):
        assert sender.chat(f"chat {n}") > 0
        churn.maybe_drop()
        time.sleep(PACE)
    churn.finish()
    assert churn.errors == [], f"seed {seed}: " + "; ".join(
        churn.errors + [f"follower {n}: {f.failures}" for n, f in enumerate(crowd) if f.failures])
    assert set(churn.done) == set(KINDS) and len(churn.done) > CHATS // 2, f"seed {seed}"
    assert sum(1 for f in crowd for n in f.catch_ups if n) > FOLLOWERS, \
        f"seed {seed}: catch-ups after a drop brought missed events"
    everyone = [sender, *crowd]
    stored = _everyone_has_the_stream(everyone, session.id, seed)
    assert [body for _seq, body in stored] == [f"chat {n}" for n in range(CHATS)]
    _presence_is_the_open_sockets(everyone, session.id, seed)
    _clean_logs(servers, seed)


def test_clients_dropping_and_rejoining_during_a_chat_stream_miss_nothing(servers, followers):
    """On the suite's database: SQLite, or PostgreSQL with FORUM_TEST_DATABASE_URL."""
    seed, rng = _rng(1701)
    _churn_run([servers()], followers, seed, rng)


@pytest.mark.redis
def test_churn_over_two_server_processes_sharing_redis(servers, followers):
    """Followers spread over two processes; one that leaves comes back to either. Redis
    channels are shared by every database number, so the session gets an id of its own per
    xdist worker: another worker's Redis tests then broadcast to other rooms."""
    redis_url = transport_redis_url()
    seed, rng = _rng(1702)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    _churn_run([servers(redis_url=redis_url), servers(redis_url=redis_url)], followers, seed,
               rng, id=17_000 + worker)


def test_server_killed_mid_stream_clients_back_off_reconnect_and_catch_up(servers, followers):
    """SIGKILL in the middle of the stream (with a chat perhaps on its way), a pause in which
    every reconnection attempt fails, a restart on the same port: every follower comes back by
    its back-off and catches up, every chat the sender sent is stored (it resends one whose
    answer it lost), and presence holds only the sockets that are open again."""
    seed, rng = _rng(1703)
    server = servers()
    session = make_live_session()
    people = [factories.make_user() for _ in range(FOLLOWERS + 1)]
    backoff = {"reconnection_delay": 0.25, "reconnection_delay_max": 2,
               "randomization_factor": 0.1}
    sender = followers(server, people[0], session.id, **backoff)
    crowd = [followers(server, person, session.id, **backoff) for person in people[1:]]
    kill_at, pause = rng.randrange(CHATS // 3, 2 * CHATS // 3), rng.uniform(0.8, 1.5)
    reached = threading.Event()
    killed_log: list[str] = []

    def kill_and_restart() -> None:
        reached.wait()
        time.sleep(rng.uniform(0, PACE))  # lands between chats or on one on its way
        killed_log.append(server.kill())
        time.sleep(pause)
        server.start()

    killer = threading.Thread(target=kill_and_restart, daemon=True)
    killer.start()
    acked: dict[int, str] = {}
    for n in range(CHATS):
        if n == kill_at:
            reached.set()
        acked.update(_send_until_answered(sender, f"chat {n}"))
        time.sleep(PACE)
    killer.join(30)
    everyone = [sender, *crowd]
    stored = _everyone_has_the_stream(everyone, session.id, seed)
    bodies = {body for _seq, body in stored}
    assert all(dict(stored)[seq] == body for seq, body in acked.items()), f"seed {seed}"
    assert bodies == {f"chat {n}" for n in range(CHATS)}, f"seed {seed}: nothing is lost"
    assert all(f.log.attempts >= 2 for f in everyone), \
        f"seed {seed}: every follower failed to reconnect at least once, then backed off"
    _presence_is_the_open_sockets(everyone, session.id, seed)
    _clean_logs([server], seed, *killed_log)


def _send_until_answered(sender: Follower, body: str) -> dict[int, str]:
    """Send a chat; if the connection drops first, wait until the sender is back and joined
    and send it again (the first may have been stored: the sender cannot know)."""
    for _attempt in range(3):
        connection = sender.connections
        try:
            return {sender.chat(body): body}
        except Dropped:
            sender.wait_joined(timeout=20, after_connection=connection)
    raise AssertionError(f"{body!r} was never answered")
