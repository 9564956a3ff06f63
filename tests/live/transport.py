"""Helpers for transport tests: a real server process (serve.py under gevent) on a free
loopback port, a python-socketio client that records what it receives, and a `Follower` that
follows a session's stream as an integrator's client should (docs/live-protocol.md)."""
from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
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
                 redis_url: str | None = None, env: dict[str, str] | None = None) -> None:
        self.database_url, self.redis_url = database_url, redis_url
        self.extra_env = env or {}
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        env = {**os.environ, "FORUM_DATABASE_URL": self.database_url,
               "FORUM_SECRET_KEY": "testing-only-secret", "FORUM_ASYNC_MODE": "gevent",
               "FORUM_JOBS_SQLITE_PATH": str(Path(tempfile.gettempdir()) / "radslag-jobs-transport.sqlite3")}
        env.pop("FORUM_REDIS_URL", None)
        if self.redis_url:
            env["FORUM_REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block it
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "serve.py"), "--host", "127.0.0.1",
             "--port", str(self.port)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + timeout
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
        return self.whole_log()[-3000:]

    def whole_log(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    # What a healthy server never writes: websocket frames read as HTTP requests, other bad
    # requests gevent saw, and tracebacks.
    PROBLEMS = re.compile(r"Invalid HTTP method|Expected GET method|Invalid http version|"
                          r"Invalid request|Invalid headers|Traceback")

    def problems(self) -> list[str]:
        """The lines of the server's log so far that a healthy server never writes."""
        return [line for line in self.whole_log().splitlines() if self.PROBLEMS.search(line)]

    def kill(self) -> str:
        """SIGKILL the process (nothing is closed or flushed) and return what it logged."""
        self.proc.kill()
        self.proc.wait(5)
        log = self.whole_log()
        self.log.close()
        self.proc = None
        return log

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

    def __init__(self, server: Server, token: str, *, reconnection: bool = False,
                 **options) -> None:
        options = {"reconnection_delay": 0.2, "reconnection_delay_max": 0.5, **options}
        self.sio = socketio.Client(reconnection=reconnection, **options)
        self.server, self.token = server, token
        self.events: list[dict] = []
        self.presence: list[dict] = []
        self.listen()
        self.connect()

    def listen(self) -> None:
        self.sio.on("event", self.events.append, namespace="/live")
        self.sio.on("presence", self.presence.append, namespace="/live")

    def connect(self) -> None:
        self.sio.connect(self.server.url, namespaces=["/live"], transports=["websocket"],
                         auth={"token": self.token}, wait_timeout=10)

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


class CallFailed(Exception):
    """A call that got no answer within its timeout, or whose connection dropped first."""


class Dropped(CallFailed):
    """The connection dropped before the call was answered (or it was never up)."""


class ClientLog(logging.Handler):
    """What python-socketio and python-engineio log of one client (the last lines, for a
    failure's message), and how many reconnection attempts it made ("new attempt in")."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.attempts = 0
        self.lines: deque[str] = deque(maxlen=40)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.lines.append(f"{record.created:.3f} {message[:200]}")
        if "new attempt in" in message:
            self.attempts += 1


class Follower(Client):
    """A member following one session's stream as docs/live-protocol.md asks of a client: it
    joins on every (re)connect with `after_seq` = the last seq it applied, holds live events
    while a join is on its way, ignores what it has applied already, puts events past a gap
    aside and joins again if the gap stays open for GAP_WAIT seconds.

    `applied` is the stream as this client took it in: (seq, chat body or None), in the order
    applied. Events of a join's catch-up are applied as the server sent them, so a catch-up
    that skipped or repeated an event shows there. `failures` lists joins that got no answer
    or an error (a join cut short by a dropped connection is simply made again)."""

    GAP_WAIT = 2.0
    TIMEOUT = 10.0

    def __init__(self, server: Server, token: str, session_id: int, **options) -> None:
        self.session_id = session_id
        self.applied: list[tuple[int, str | None]] = []
        self.failures: list[str] = []
        self.catch_ups: list[int] = []  # events brought by each join
        self.gap_joins = 0
        self.connections = 0
        self.joined = threading.Event()
        self._generation = 0  # counts disconnects: a call knows its connection dropped
        self._lock = threading.RLock()
        self._join_lock = threading.Lock()
        self._joining = False
        self._held: list[dict] = []
        self._ahead: dict[int, dict] = {}
        self._gap_timer: threading.Timer | None = None
        self._websockets: list = []
        self.log = ClientLog()
        logger = logging.getLogger(f"tests.follower.{id(self)}")
        logger.setLevel(logging.INFO)
        logger.propagate = False
        logger.addHandler(self.log)
        # A back-off that never retries at once: python-socketio's default randomisation
        # (±0.5 s) can make the delay negative, and a reconnection that fast races the old
        # connection's teardown inside python-engineio's client.
        options = {"reconnection": True, "reconnection_delay": 0.25,
                   "reconnection_delay_max": 2, "randomization_factor": 0.1, **options}
        super().__init__(server, token, logger=logger, engineio_logger=logger, **options)
        self.wait_joined()

    @property
    def last(self) -> int:
        return self.applied[-1][0] if self.applied else 0

    @property
    def sid(self) -> str | None:
        return self.sio.get_sid(namespace="/live")

    def listen(self) -> None:
        self.sio.on("connect", self._connected, namespace="/live")
        self.sio.on("disconnect", self._disconnected, namespace="/live")
        self.sio.on("event", self._live, namespace="/live")

    def connect(self, server: Server | None = None) -> None:
        self.server = server or self.server
        super().connect()

    def wait_joined(self, timeout: float = 15.0, *, after_connection: int = 0) -> None:
        """Until the client is joined on a connection newer than `after_connection`, and
        python-socketio has finished connecting (a reconnection marks itself connected only
        after the connect handler has run: a disconnect before that would be undone)."""
        deadline = time.monotonic() + timeout
        while not (self.joined.is_set() and self.connections > after_connection
                   and self.sio.connected):
            if time.monotonic() > deadline:
                raise CallFailed(f"not joined again within {timeout} s")
            time.sleep(0.02)

    # --- calls ---------------------------------------------------------------------------------

    def call(self, event: str, payload=None) -> dict:
        """Emit and wait for the acknowledgement. CallFailed if none comes within TIMEOUT, or
        the connection drops first (python-socketio's own `call` would wait out the timeout)."""
        answered, box = threading.Event(), []
        generation = self._generation

        def ack(*args):
            box.append(args[0] if args else None)
            answered.set()

        try:
            self.sio.emit(event, payload, namespace="/live", callback=ack)
        except socketio.exceptions.SocketIOError as err:
            raise Dropped(f"{event}: not connected ({err!r})") from err
        deadline = time.monotonic() + self.TIMEOUT
        while not answered.wait(0.05):
            if self._generation != generation:
                raise Dropped(f"{event}: the connection dropped")
            if time.monotonic() > deadline:
                raise CallFailed(f"{event}: no answer within {self.TIMEOUT} s")
        return box[0]

    def chat(self, body: str) -> int:
        reply = self.call("chat", {"session_id": self.session_id, "body": body})
        if not reply.get("ok"):
            raise CallFailed(f"chat: {reply}")
        return reply["seq"]

    # --- joining and catching up ---------------------------------------------------------------

    def _connected(self) -> None:
        self.connections += 1
        self._close_old_websockets()
        self.rejoin()  # python-socketio runs this in a thread of its own: the call may wait

    def _disconnected(self, *_reason) -> None:
        self.joined.clear()
        self._generation += 1

    def rejoin(self) -> None:
        """Join with after_seq = the last seq applied, as often as the catch-up was cut short."""
        with self._join_lock:
            while self._join_once():
                pass

    def _join_once(self) -> bool:
        with self._lock:
            self._joining = True
            after = self.last
        try:
            reply = self.call("join", {"session_id": self.session_id, "after_seq": after})
        except Dropped:
            reply = None  # the next connection joins again
        except CallFailed as err:
            self.failures.append(str(err))
            reply = None
        with self._lock:
            self._joining = False
            if reply is not None and not reply.get("ok"):
                self.failures.append(f"join after {after}: {reply}")
            events = reply["events"] if reply and reply.get("ok") else []
            self.catch_ups.append(len(events))
            for event in events:
                if event["seq"] > self.last:
                    self._apply(event)
            held, self._held = self._held, []
            for event in held:
                self._receive(event)
            self._settle()
        if reply and reply.get("ok"):
            if events and events[-1]["seq"] < reply["state"]["last_seq"]:
                return True  # the catch-up had a limit: ask for the rest
            self.joined.set()
        return False

    def _live(self, event: dict) -> None:
        with self._lock:
            if self._joining:
                self._held.append(event)
            else:
                self._receive(event)

    def _receive(self, event: dict) -> None:
        if event["session_id"] != self.session_id or event["seq"] <= self.last:
            return  # had it already (live and in a catch-up both)
        if event["seq"] > self.last + 1:
            self._ahead[event["seq"]] = event
            if self._gap_timer is None:
                self._gap_timer = threading.Timer(self.GAP_WAIT, self._gap_check)
                self._gap_timer.daemon = True
                self._gap_timer.start()
            return
        self._apply(event)
        self._settle()

    def _settle(self) -> None:
        """Apply what was put aside as far as it now follows on; forget what came twice."""
        while self.last + 1 in self._ahead:
            self._apply(self._ahead.pop(self.last + 1))
        for seq in [s for s in self._ahead if s <= self.last]:
            del self._ahead[seq]

    def _gap_check(self) -> None:
        with self._lock:
            self._gap_timer = None
            gap = bool(self._ahead)
        if gap and self.connected:
            self.gap_joins += 1
            self.rejoin()

    def _apply(self, event: dict) -> None:
        body = event["data"].get("body") if event["type"] == "chat" else None
        self.applied.append((event["seq"], body))

    # --- dropping ------------------------------------------------------------------------------

    def drop(self, kind: str, server: Server | None = None) -> None:
        """Lose the connection and come back joined. `leave`: disconnect and connect again (to
        `server`, if given); `cut`: the TCP connection dies under the websocket, with no closing
        handshake, and python-socketio reconnects by itself with its back-off; `rejoin`: join
        again on the same connection."""
        before = self.connections
        if kind == "rejoin":
            self.rejoin()
            return
        if kind == "leave":
            self.sio.disconnect()
            self.connect(server)
        elif kind == "cut":
            self.sio.eio.ws.sock.shutdown(socket.SHUT_RDWR)
        self.wait_joined(after_connection=before)

    def _close_old_websockets(self) -> None:
        """python-engineio's client forgets a websocket that broke without closing it."""
        current = self.sio.eio.ws
        for ws in [ws for ws in self._websockets if ws is not current]:
            ws.shutdown()
            self._websockets.remove(ws)
        if current is not None and current not in self._websockets:
            self._websockets.append(current)

    def close(self) -> None:
        if self._gap_timer is not None:
            self._gap_timer.cancel()
        super().close()
        for ws in self._websockets:
            ws.shutdown()
