"""Live room fan-out benchmark: N receivers in one session, one sender.

For each N (50, 200, 500 by default) and each server, it measures
  * saturated: the sender keeps a window of unacknowledged chat messages in flight for a few
    seconds; prints deliveries per second and p50/p99 delivery latency;
  * steady: 10 messages per second; prints p50/p99 delivery latency.
Servers, both under the same gevent setup (`socketio.run`, one process):
  * ceiling: a minimal Flask-SocketIO server that only broadcasts (no database, no checks);
  * live:    the real Rådslag live room (serve.py), which checks the rules and commits every
             event with its seq before broadcasting.

The load generator is one gevent process with a small hand-written Engine.IO/Socket.IO
websocket client (reads many frames per syscall), so it costs less CPU than the servers.

    .venv/bin/python bench/fanout_bench.py                     # temp SQLite file
    .venv/bin/python bench/fanout_bench.py --database-url postgresql+psycopg://...
    .venv/bin/python bench/fanout_bench.py --clients 500 --seconds 5
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import base64  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from gevent.event import Event  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# --- The minimal broadcast server (the ceiling) ----------------------------------------------


def serve_minimal(port: int) -> None:
    from flask import Flask
    from flask_socketio import SocketIO, join_room

    app = Flask(__name__)
    sio = SocketIO(app, async_mode="gevent")

    @sio.on("join", namespace="/live")
    def _join(data):
        join_room(f"live:{data['session_id']}")
        return {"ok": True, "state": {"last_seq": 0}, "events": []}

    seq = {"n": 0}

    @sio.on("chat", namespace="/live")
    def _chat(data):
        seq["n"] += 1
        sio.emit("event", {"session_id": data["session_id"], "seq": seq["n"], "type": "chat",
                           "at": "", "actor": None, "data": {"body": data["body"]}},
                 to=f"live:{data['session_id']}", namespace="/live")
        return {"ok": True, "seq": seq["n"]}

    sio.run(app, host="127.0.0.1", port=port, log_output=False)


# --- A lean Socket.IO client over a raw websocket --------------------------------------------


class WS:
    """Enough of RFC 6455 and Engine.IO 4 / Socket.IO 5 for this benchmark."""

    def __init__(self, port: int, token: str | None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                           f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf, self.partial = b"", b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        self.buf = self.buf.split(b"\r\n\r\n", 1)[1]
        self.next_frame()  # Engine.IO open packet
        self.send("40/live," + json.dumps({"token": token} if token else {}))
        reply = self.next_frame()
        if not reply.startswith("40/live"):
            raise RuntimeError(f"connect refused: {reply}")
        self.ack_id = 0

    def send(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                                bytes([0x80 | 126]) + struct.pack(">H", n))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def frames(self):
        """Yield text frames, parsing everything each recv returns."""
        while True:
            while True:
                frame = self._parse()
                if frame is None:
                    break
                if frame == "2":
                    self.send("3")
                    continue
                yield frame
            chunk = self.sock.recv(262144)
            if not chunk:
                return
            self.buf += chunk

    def next_frame(self) -> str:
        for frame in self.frames():
            return frame
        raise RuntimeError("connection closed")

    def _parse(self):
        """The next complete message, joining fragments (FIN bit) before decoding."""
        while True:
            buf = self.buf
            if len(buf) < 2:
                return None
            n, at = buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    return None
                n, at = struct.unpack(">H", buf[2:4])[0], 4
            elif n == 127:
                if len(buf) < 10:
                    return None
                n, at = struct.unpack(">Q", buf[2:10])[0], 10
            if len(buf) < at + n:
                return None
            self.buf = buf[at + n:]
            if buf[0] & 0x0F == 0x8:  # close frame: the server ended the connection
                raise ConnectionError("closed by the server")
            self.partial += buf[at:at + n]
            if buf[0] & 0x80:  # FIN: the message is complete
                message, self.partial = self.partial, b""
                return message.decode()

    def emit(self, event: str, data: dict) -> int:
        self.ack_id += 1
        self.send(f"42/live,{self.ack_id}" + json.dumps([event, data]))
        return self.ack_id

    def call(self, event: str, data: dict) -> dict:
        ack = self.emit(event, data)
        prefix = f"43/live,{ack}"
        for frame in self.frames():
            if frame.startswith(prefix):
                return json.loads(frame[len(prefix):])[0]
        raise RuntimeError("closed before ack")


# --- One run ------------------------------------------------------------------------------


class Receiver:
    def __init__(self, port, token, session_id, sink) -> None:
        self.ws = WS(port, token)
        reply = self.ws.call("join", {"session_id": session_id})
        if not reply.get("ok"):
            raise RuntimeError(f"join refused: {reply}")
        self.sink = sink

    def run(self) -> None:
        for frame in self.ws.frames():
            if frame.startswith('42/live,["event"'):
                i = frame.find('"t=')
                if i > 0:
                    self.sink.append(time.time() - float(frame[i + 3:frame.find('"', i + 3)]))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def measure(port: int, tokens: dict, session_id: int, clients: int, seconds: float,
            window: int) -> dict:
    latencies: list[float] = []
    receivers, loops = [], []
    for _ in range(clients):  # each starts reading at once, so it answers the server's pings
        receivers.append(Receiver(port, tokens["receiver"], session_id, latencies))
        loops.append(gevent.spawn(receivers[-1].run))
    sender = WS(port, tokens["sender"])
    assert sender.call("join", {"session_id": session_id})["ok"]
    gevent.sleep(2.0)  # let the joins' presence broadcast go out before measuring
    latencies.clear()

    # Saturated: keep `window` chats in flight.
    sent, acked, done, slot = 0, 0, Event(), Event()

    def read_acks():
        nonlocal acked
        for frame in sender.frames():
            if frame.startswith("43/live,"):
                acked += 1
                slot.set()
                if done.is_set() and acked == sent:
                    return

    reader = gevent.spawn(read_acks)
    start = time.time()
    while time.time() - start < seconds:
        if sent - acked < window:
            sender.emit("chat", {"session_id": session_id, "body": f"t={time.time():.6f}"})
            sent += 1
            continue
        slot.clear()
        if sent - acked >= window:
            slot.wait(0.05)
    done.set()
    expected = sent * clients
    deadline = time.time() + 30
    while len(latencies) < expected and time.time() < deadline:
        gevent.sleep(0.01)
    elapsed = time.time() - start
    saturated = {"sent": sent, "delivered": len(latencies),
                 "deliveries_per_s": len(latencies) / elapsed,
                 "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}
    reader.join(timeout=5)
    reader.kill()

    # Steady: 10 messages per second.
    latencies.clear()
    steady_sent = int(10 * seconds)
    acks = gevent.spawn(lambda: [None for f in sender.frames()])
    for _ in range(steady_sent):
        sender.emit("chat", {"session_id": session_id, "body": f"t={time.time():.6f}"})
        gevent.sleep(0.1)
    deadline = time.time() + 10
    while len(latencies) < steady_sent * clients and time.time() < deadline:
        gevent.sleep(0.01)
    steady = {"delivered": len(latencies), "expected": steady_sent * clients,
              "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}
    acks.kill()
    gevent.killall(loops)
    for r in receivers:
        r.ws.sock.close()
    sender.sock.close()
    return {"saturated": saturated, "steady": steady}


# --- Servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def prepare_live_database(database_url: str) -> tuple[int, dict]:
    """Schema, a live session, and tokens for the receivers and the sender."""
    from datetime import timedelta

    from forum import create_app
    from forum.extensions import db
    from forum.models.accounts import Role, Sector, User
    from forum.models.base import utcnow
    from forum.models.discussion import Topic
    from forum.models.live import LiveSession, SessionPerson, SessionRole, SessionStatus
    from forum.services import accounts, seeding

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "REDIS_URL": None})
    with app.app_context():
        db.drop_all()
        db.create_all()
        seeding.ensure_focus_areas()
        mod = User(email="mod@bench.test", display_name="Moderator", password_hash="x",
                   sector=Sector.CIVIL_SERVICE, role=Role.MODERATOR)
        receiver = User(email="r@bench.test", display_name="Receiver", password_hash="x",
                        sector=Sector.BUSINESS)
        sender = User(email="s@bench.test", display_name="Sender", password_hash="x",
                      sector=Sector.POLITICS)
        db.session.add_all([mod, receiver, sender])
        db.session.flush()
        topic = Topic(focus_area_id=1, title="Bench", framing_source="", framing_html="")
        db.session.add(topic)
        db.session.flush()
        session = LiveSession(title="Bench", focus_area_id=1, topic_id=topic.id,
                              created_by_id=mod.id, starts_at=utcnow(),
                              ends_at=utcnow() + timedelta(hours=2), status=SessionStatus.LIVE)
        db.session.add(session)
        db.session.flush()
        db.session.add(SessionPerson(session_id=session.id, user_id=mod.id,
                                     role=SessionRole.MODERATOR))
        db.session.commit()
        tokens = {"receiver": accounts.create_token(receiver, "bench")[1],
                  "sender": accounts.create_token(sender, "bench")[1]}
        session_id = session.id
        db.engine.dispose()
    return session_id, tokens


def start_server(kind: str, port: int, database_url: str) -> subprocess.Popen:
    if kind == "ceiling":
        cmd = [sys.executable, __file__, "--serve-minimal", str(port)]
        env = dict(os.environ)
    else:
        cmd = [sys.executable, str(ROOT / "serve.py"), "--port", str(port)]
        env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_ASYNC_MODE": "gevent",
               "FORUM_SECRET_KEY": "bench"}
        env.pop("FORUM_REDIS_URL", None)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_for(port, proc)
    return proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="*", default=[50, 200, 500])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--window", type=int, default=16, help="chats in flight (saturated)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--servers", nargs="*", default=["ceiling", "live"])
    parser.add_argument("--serve-minimal", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_minimal:
        serve_minimal(args.serve_minimal)
        return
    tmp = tempfile.mkdtemp(prefix="fanout-")
    database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    print(f"{'server':8} {'clients':>7} {'sent':>6} {'deliv/s':>9} {'p50 ms':>7} {'p99 ms':>7}"
          f" | {'10/s p50':>8} {'10/s p99':>8} {'lost':>5}")
    for clients in args.clients:
        for kind in args.servers:
            session_id, tokens = (prepare_live_database(database_url) if kind == "live"
                                  else (1, {"receiver": None, "sender": None}))
            port = free_port()
            proc = start_server(kind, port, database_url)
            try:
                result = measure(port, tokens, session_id, clients, args.seconds, args.window)
            finally:
                proc.terminate()
                proc.wait(10)
            s, t = result["saturated"], result["steady"]
            lost = t["expected"] - t["delivered"] + (s["sent"] * clients - s["delivered"])
            print(f"{kind:8} {clients:7d} {s['sent']:6d} {s['deliveries_per_s']:9.0f} "
                  f"{s['p50_ms']:7.1f} {s['p99_ms']:7.1f} | {t['p50_ms']:8.1f} "
                  f"{t['p99_ms']:8.1f} {lost:5d}", flush=True)


if __name__ == "__main__":
    main()
