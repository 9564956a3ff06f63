"""Helpers for transport tests: a real server process (serve.py under gevent) on a free
loopback port, and a python-socketio client that records what it receives."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python serve.py` (gevent, monkey-patched first) against the test database."""

    def __init__(self, database_url: str, *, port: int | None = None,
                 redis_url: str | None = None) -> None:
        self.database_url, self.redis_url = database_url, redis_url
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**os.environ, "FORUM_DATABASE_URL": self.database_url,
               "FORUM_SECRET_KEY": "testing-only-secret", "FORUM_ASYNC_MODE": "gevent",
               "FORUM_JOBS_SQLITE_PATH": str(Path(tempfile.gettempdir()) / "radslag-jobs-transport.sqlite3")}
        env.pop("FORUM_REDIS_URL", None)
        if self.redis_url:
            env["FORUM_REDIS_URL"] = self.redis_url
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block it
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "serve.py"), "--host", "127.0.0.1",
             "--port", str(self.port)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.output())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        output = self.output()
        self.stop()
        raise RuntimeError("server did not start: " + output)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None:
            self.log.close()
        self.proc = None


class Client:
    """A websocket-only Socket.IO client on /live that keeps every event it receives."""

    def __init__(self, server: Server, token: str, *, reconnection: bool = False) -> None:
        self.sio = socketio.Client(reconnection=reconnection, reconnection_delay=0.2,
                                   reconnection_delay_max=0.5)
        self.events: list[dict] = []
        self.presence: list[dict] = []
        self.sio.on("event", self.events.append, namespace="/live")
        self.sio.on("presence", self.presence.append, namespace="/live")
        self.sio.connect(server.url, namespaces=["/live"], transports=["websocket"],
                         auth={"token": token}, wait_timeout=10)

    def call(self, event: str, payload=None) -> dict:
        if payload is None:
            return self.sio.call(event, namespace="/live", timeout=10)
        return self.sio.call(event, payload, namespace="/live", timeout=10)

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()

    @property
    def connected(self) -> bool:
        return self.sio.connected and "/live" in self.sio.namespaces

    def close(self) -> None:
        self.sio.reconnection = False
        if self.sio.connected:
            self.sio.disconnect()
        self.sio.shutdown() if hasattr(self.sio, "shutdown") else None
