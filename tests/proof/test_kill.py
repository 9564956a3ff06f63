"""Issue 15, proof: the server is killed (SIGKILL: nothing is flushed or closed) while 50
members write, and started again on the same port. Every write that was answered with success
is stored, none twice; writes that got no answer may or may not be (the member cannot know);
refused ones are absent; the counters equal a recount of the rows."""
from __future__ import annotations

import os

import pytest

from tests.proof import workload
from tests.proof.conftest import worker_number

pytestmark = pytest.mark.transport

MEMBERS = 50
SECONDS = float(os.environ.get("FORUM_PROOF_SECONDS", "12"))  # then on until all wrote again


def test_a_server_killed_while_members_write_keeps_every_answered_write(tapp, proof_servers):
    world = workload.build_world(tapp, MEMBERS, session_id=15_200 + worker_number())
    server = proof_servers()
    # The kill waits for every member to have had a write answered, not for a moment on the
    # clock: on a loaded machine 50 members may take longer to connect.
    killer = workload.KillAndRestart(server, after=SECONDS * 0.4)
    result_run = workload.run(world, [server.url], SECONDS, seed=17, during=killer,
                              more=killer.more)
    audit = workload.audit(world, result_run.attempts, sure=False)
    print("\n" + workload.figures(result_run, audit, "killed with SIGKILL and restarted"))
    killed, back = killer.state["killed"], killer.state["back"]
    assert [m.failure for m in result_run.members if m.failure] == []
    assert killed is not None, "every member had a write answered before the kill"
    assert back is not None, "the server was started again"
    assert audit.problems == [], "\n".join(audit.problems[:30])
    attempts = result_run.attempts
    assert [a for a in attempts if a.outcome == "error"] == [], "no 5xx, before or after"
    assert any(a.outcome == "unanswered" for a in attempts), "writes went unanswered meanwhile"
    assert {a.kind for a in attempts if a.outcome == "ok"} == set(workload.ACTIONS)
    assert all(workload.wrote_since(m, back) for m in result_run.members), \
        "after the restart every member writes again, over HTTP and over its new socket"
