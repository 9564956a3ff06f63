"""The worker: a Huey consumer (worker threads and the scheduler of periodic jobs) for the
app's queue.

SIGTERM (what supervisors send) and the first Ctrl-C stop it gracefully: the running jobs
finish, up to `JOBS_SHUTDOWN_TIMEOUT` seconds. A job cut off then is queued again. A second
Ctrl-C (SIGINT) stops at once, also putting the running jobs back.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from flask import Flask

from forum.jobs.queue import huey

log = logging.getLogger(__name__)


def run(app: Flask, *, threads: int = 2, periodic: bool = True,
        stop_with: int | None = None) -> None:
    """Consume jobs until stopped. With `stop_with`, also stop when that process ends (the
    server that started this worker), so no worker outlives its server."""
    _log_to_stderr()
    consumer = huey.create_consumer(
        workers=threads, worker_type="thread", periodic=periodic, graceful_signal="TERM",
        shutdown_timeout=app.config["JOBS_SHUTDOWN_TIMEOUT"], initial_delay=0.1, max_delay=1.0,
        check_worker_health=True)
    if stop_with:
        threading.Thread(target=_stop_when_gone, args=(stop_with,), daemon=True,
                         name="parent-watch").start()
    consumer.run()


def _stop_when_gone(pid: int) -> None:
    """Ask this worker to stop (gracefully) once process `pid` is no longer its parent."""
    stopped = threading.Event()
    while not stopped.wait(1.0):
        if os.getppid() != pid:
            log.info("process %s has ended; stopping the worker", pid)
            os.kill(os.getpid(), signal.SIGTERM)
            return


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s"))
    for name in ("huey", "forum"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
