"""The real worker (`flask ... forum worker`, Huey's consumer) in its own process: jobs
queued while no worker runs survive until one starts, a worker stopped in the middle of a
job puts it back, and a worker started by a server ends with it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from forum import jobs
from tests.conftest import skip_or_fail
from tests.jobs import tasks
from tests.jobs.workers import ROOT, Worker, lines, wait_until, worker_env

pytestmark = pytest.mark.transport


@pytest.fixture
def env(database_url, jobs_path):
    return worker_env(database_url, jobs_path)


def test_a_job_survives_a_worker_stopped_in_the_middle_and_completes_once(app, env, tmp_path):
    slow, quick, gate = tmp_path / "slow", tmp_path / "quick", tmp_path / "gate"
    tasks.wait_for_gate.enqueue(str(slow), str(gate))
    tasks.note.enqueue(str(quick), "ran")
    assert _pending() == ["note", "wait_for_gate"]  # no worker running: kept in the file

    first = Worker(env, threads=1)
    try:
        wait_until(lambda: lines(slow) == ["start"], what="the slow job to start")
        assert first.signal(signal.SIGINT) == 0  # stop now, in the middle of the slow job
    finally:
        first.stop()
    assert lines(slow) == ["start"] and lines(quick) == []
    assert _pending() == ["note", "wait_for_gate"]  # the interrupted job is back, the other
    # untouched, and nothing else came in (the test workers run no periodic scheduler)

    gate.touch()
    second = Worker(env, threads=1)
    try:
        wait_until(lambda: lines(quick) == ["ran"] and "done" in lines(slow),
                   what="both jobs to complete")
        wait_until(lambda: jobs.huey.pending_count() == 0, what="an empty queue")
    finally:
        second.stop()
    assert lines(slow) == ["start", "start", "done"]  # run again from the start, completed once
    assert lines(quick) == ["ran"]


def _pending() -> list[str]:
    """The names of the queued jobs (their function names), sorted."""
    return sorted(task.name.rsplit(".", 1)[-1] for task in jobs.huey.pending())


def test_a_graceful_stop_lets_the_running_job_finish(app, env, tmp_path):
    slow, gate = tmp_path / "slow", tmp_path / "gate"
    tasks.wait_for_gate.enqueue(str(slow), str(gate))
    worker = Worker(env, threads=1)
    try:
        wait_until(lambda: lines(slow) == ["start"], what="the job to start")
        worker.proc.send_signal(signal.SIGTERM)  # what a supervisor sends
        gate.touch()
        assert worker.proc.wait(60) == 0
    finally:
        worker.stop()
    assert lines(slow) == ["start", "done"]
    assert jobs.huey.pending_count() == 0


def test_a_worker_started_by_a_server_ends_when_the_server_does(env, tmp_path):
    pid_file = tmp_path / "worker.pid"
    parent = subprocess.Popen([sys.executable, "-c", (
        "import os, subprocess, sys, time\n"
        "worker = subprocess.Popen([sys.executable, '-m', 'flask', '--app', "
        "'tests.jobs.worker_app', 'forum', 'worker', '--stop-with', str(os.getpid())],"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        f"open({str(pid_file)!r}, 'w').write(str(worker.pid))\n"
        "time.sleep(600)\n")], cwd=ROOT, env=env)
    try:
        wait_until(lambda: pid_file.exists() and pid_file.read_text(), what="the worker")
        worker_pid = int(pid_file.read_text())
        assert _alive(worker_pid)
        parent.kill()  # the server dies without a chance to stop its worker
        parent.wait(10)
        wait_until(lambda: not _alive(worker_pid), what="the orphaned worker to stop")
    finally:
        parent.kill()
        parent.wait(10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie has ended, whoever reaps it
        return fh.read().split()[2] != "Z"


@pytest.mark.redis
def test_jobs_run_through_redis_storage(app, database_url, jobs_path, tmp_path, monkeypatch):
    """The worker takes FORUM_REDIS_URL as a server does; this process uses the same storage
    (bound by hand: an app with REDIS_URL would also move Socket.IO and the limiter)."""
    redis_url = _redis_url()
    monkeypatch.setattr(jobs.huey, "storage", jobs.queue._build_storage("redis", redis_url))
    jobs.huey.flush()
    trace = tmp_path / "trace"
    tasks.note.enqueue(str(trace), "via redis")
    assert jobs.huey.pending_count() == 1
    worker = Worker(worker_env(database_url, jobs_path, FORUM_REDIS_URL=redis_url))
    try:
        wait_until(lambda: lines(trace) == ["via redis"], what="the job via Redis")
        assert jobs.huey.pending_count() == 0
    finally:
        worker.stop()
        jobs.huey.flush()


def _redis_url() -> str:
    url = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means no usable Redis
        skip_or_fail(f"Redis is not reachable at {url}")
    return url
