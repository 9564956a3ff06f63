"""Issue 15, proof: 50 signed-in members write at once through the production server
(serve.py, gevent) for a bounded time: replies, edits, reactions, flags, follows, votes in
live polls, upvotes and chat. Afterwards every write answered with success is stored exactly once, every
refused one is absent, the counters equal a recount of the rows, and no request got a 5xx.
The figures are printed (`pytest -s`, or bench/concurrency_bench.py)."""
from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import make_url

from tests.live.conftest import transport_redis_url
from tests.proof import workload
from tests.proof.conftest import worker_number

pytestmark = pytest.mark.transport

MEMBERS = 50
SECONDS = float(os.environ.get("FORUM_PROOF_SECONDS", "20"))


def check(world, result_run, label: str) -> workload.Audit:
    """The promises of a run in which no server died."""
    audit = workload.audit(world, result_run.attempts)
    print("\n" + workload.figures(result_run, audit, label))
    failures = [m.failure for m in result_run.members if m.failure]
    assert failures == [], failures
    outcomes = {a.outcome for a in result_run.attempts}
    assert "error" not in outcomes, [a for a in result_run.attempts if a.outcome == "error"][:5]
    unanswered = [a for a in result_run.attempts if a.outcome == "unanswered"]
    assert unanswered == [], unanswered[:5]
    assert audit.problems == [], "\n".join(audit.problems[:30])
    accepted = {a.kind for a in result_run.attempts if a.outcome == "ok"}
    assert accepted == set(workload.ACTIONS), "every kind of write went through at least once"
    return audit


def test_fifty_members_writing_at_once_lose_nothing(tapp, proof_servers):
    """On the suite's database: SQLite, or PostgreSQL with FORUM_TEST_DATABASE_URL."""
    world = workload.build_world(tapp, MEMBERS, session_id=15_000 + worker_number())
    server = proof_servers()
    result_run = workload.run(world, [server.url], SECONDS, seed=15)
    check(world, result_run, f"one server, {make_url(tapp.config['SQLALCHEMY_DATABASE_URI']).get_backend_name()}")


@pytest.mark.redis
@pytest.mark.postgres
def test_fifty_members_over_two_server_processes_sharing_postgres_and_redis(tapp, proof_servers):
    """The members are spread over two processes that share PostgreSQL and Redis (the Socket.IO
    queue and the rate-limit counters). The SQLite pass leaves this to the PostgreSQL pass."""
    if make_url(tapp.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        pytest.skip("two processes share PostgreSQL: run in the PostgreSQL pass")
    redis_url = transport_redis_url()
    world = workload.build_world(tapp, MEMBERS, session_id=15_100 + worker_number())
    servers = [proof_servers(redis_url=redis_url), proof_servers(redis_url=redis_url)]
    result_run = workload.run(world, [s.url for s in servers], SECONDS, seed=16)
    check(world, result_run, "two servers, postgresql + redis")
