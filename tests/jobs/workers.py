"""A real worker process (`flask ... forum worker`) for tests, with its own log file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def worker_env(database_url: str, jobs_path: str, **settings: str) -> dict:
    env = {**os.environ, "FORUM_DATABASE_URL": database_url,
           "FORUM_JOBS_SQLITE_PATH": jobs_path, "FORUM_SECRET_KEY": "testing-only-secret",
           "FORUM_DEFAULT_LANGUAGE": "en", "PYTHONPATH": str(ROOT)}
    for key in ("FORUM_REDIS_URL", "FORUM_SMTP_URL", "FORUM_ASYNC_MODE"):
        env.pop(key, None)
    env.update(settings)
    return env


class Worker:
    """`flask --app tests.jobs.worker_app forum worker` in a process of its own. Without its
    scheduler unless asked: a periodic job due every minute (live-session reminders) would
    otherwise add runs to the queue a test counts."""

    def __init__(self, env: dict, *, threads: int = 1, periodic: bool = False) -> None:
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "tests.jobs.worker_app", "forum", "worker",
             "--threads", str(threads), *(() if periodic else ("--no-periodic",))],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-5000:]

    def signal(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `signum` and wait for the process to end."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
        self.log.close()


def wait_until(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    """Poll `predicate` until true; fail after `timeout` seconds (not a timing assertion:
    only a bound on how long a broken test hangs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []
