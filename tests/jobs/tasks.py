"""Jobs for the tests: each leaves its trace in a file, so a worker process can be watched
from the test."""
from __future__ import annotations

import time
from pathlib import Path

from forum import jobs


@jobs.task()
def note(path: str, text: str) -> None:
    """Append one line to `path`."""
    with open(path, "a") as fh:
        fh.write(text + "\n")


@jobs.task()
def wait_for_gate(path: str, gate: str) -> None:
    """Note the start, wait until the file `gate` exists (at most a minute), note the end."""
    note(path, "start")
    deadline = time.monotonic() + 60
    while not Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    note(path, "done")


@jobs.task(retries=2)
def always_fails(message: str) -> None:
    raise RuntimeError(message)


@jobs.task()
def fails_once(path: str) -> None:
    """Fail the first time (leaving a marker), succeed the next."""
    marker = Path(path + ".failed")
    if not marker.exists():
        marker.touch()
        raise OSError("disk busy")
    note(path, "second time lucky")
