"""Issue 15, proof: the server is killed (SIGKILL: nothing is flushed or closed) while 50
members write, and started again on the same port. Every write that was answered with success
is stored, none twice; writes that got no answer may or may not be (the member cannot know);
refused ones are absent; the counters equal a recount of the rows."""
from __future__ import annotations

import os
import time

import pytest

from tests.proof import workload
from tests.proof.conftest import worker_number

pytestmark = pytest.mark.transport

MEMBERS = 50
SECONDS = float(os.environ.get("FORUM_PROOF_SECONDS", "12"))  # then on until all wrote again


def test_a_server_killed_while_members_write_keeps_every_answered_write(tapp, proof_servers):
    world = workload.build_world(tapp, MEMBERS, session_id=15_200 + worker_number())
    server = proof_servers()
    kill_at, down = SECONDS * 0.4, 1.0
    state = {"killed": None, "back": None}

    def kill_and_restart(elapsed: float) -> None:
        if state["killed"] is None and elapsed >= kill_at:
            server.kill()
            state["killed"] = time.monotonic()
        elif state["back"] is None and state["killed"] and time.monotonic() - state["killed"] > down:
            server.start()
            state["back"] = time.monotonic()

    result_run = workload.run(world, [server.url], SECONDS, seed=17, during=kill_and_restart,
                              more=workload.until_all_wrote_since(state))
    audit = workload.audit(world, result_run.attempts, sure=False)
    print("\n" + workload.figures(result_run, audit, "killed with SIGKILL and restarted"))
    assert state["back"] is not None, "the server was killed and started again"
    assert audit.problems == [], "\n".join(audit.problems[:30])
    attempts = result_run.attempts
    assert [a for a in attempts if a.outcome == "error"] == [], "no 5xx, before or after"
    assert any(a.outcome == "unanswered" for a in attempts), "writes went unanswered meanwhile"
    assert {a.kind for a in attempts if a.outcome == "ok"} == set(workload.ACTIONS)
    assert all(workload.wrote_since(m, state["back"]) for m in result_run.members), \
        "after the restart every member writes again, over HTTP and over its new socket"
