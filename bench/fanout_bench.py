"""Live room fan-out benchmark: N receivers in one session, one sender.

For each N (50, 200, 500 by default) and each server, it measures
  * saturated: the sender keeps a window of unacknowledged chat messages in flight for a few
    seconds; prints deliveries per second and p50/p99 delivery latency;
  * steady: 10 messages per second; prints p50/p99 delivery latency.
Servers, all under the same gevent setup (serve.py's server):
  * ceiling: a minimal Flask-SocketIO server that only broadcasts (no database, no checks),
             one process;
  * live:    the real Rådslag live room (serve.py), which checks the rules and commits every
             event with its seq before broadcasting, one process, no load balancer;
  * cluster: the production layout of deploy/cluster.py: HAProxy in front of `--cluster-size`
             live-room processes (3) sharing a Redis server of the benchmark's own, which
             spreads the receivers over the processes (round robin); the sender and every
             receiver connect through HAProxy. Its CPU figure adds up the servers and HAProxy.

The load generator must cost much less than the server it measures, or it measures itself:
the receivers are spread over `--procs` processes (2 by default), each one plain `epoll` loop
over its sockets with a small hand-written Engine.IO/Socket.IO websocket client that parses
every frame a `recv` returns (no greenlet or thread per socket, no JSON decoding); when few
sockets are ready it naps `--nap-ms` first, so one wake-up reads many frames. The sender runs
in the main process. `--cpu` also prints the CPU time per delivery of the server and of the
load generator, which depends much less on the neighbours than wall-clock figures. Latency is the time from the sender's `time.time()`, carried in
the chat body, to a receiver parsing the event (one clock: all processes run on this machine).

    .venv/bin/python bench/fanout_bench.py                     # temp SQLite file
    .venv/bin/python bench/fanout_bench.py --database-url postgresql+psycopg://...
    .venv/bin/python bench/fanout_bench.py --clients 500 --seconds 5 --procs 2
    .venv/bin/python bench/fanout_bench.py --clients 500 --servers ceiling live cluster \
        --database-url postgresql+psycopg://...
"""
import argparse
import base64
import gc
import json
import multiprocessing
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# --- The minimal broadcast server (the ceiling) ----------------------------------------------


def serve_minimal(port: int) -> None:
    from gevent import monkey

    monkey.patch_all()
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

    from forum.serving import make_server

    gc.collect()  # as serve.py does
    gc.freeze()
    make_server(app, "127.0.0.1", port).serve_forever()


# --- A lean Socket.IO client over a raw websocket --------------------------------------------


def mask_frame(payload: bytes) -> bytes:
    """A masked client text frame (RFC 6455 wants every client frame masked)."""
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                            bytes([0x80 | 126]) + struct.pack(">H", n))
    key = int.from_bytes(mask * (n // 4 + 1), "big") >> (8 * (4 - n % 4))
    masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big") if n else b""
    return head + mask + masked


def parse_frames(buf: bytes, at: int = 0):
    """Complete frames from `buf[at:]` as (opcode, fin, payload); returns (frames, next_at)."""
    frames, n = [], len(buf)
    while n - at >= 2:
        size, head = buf[at + 1] & 0x7F, 2
        if size == 126:
            if n - at < 4:
                break
            size, head = (buf[at + 2] << 8) | buf[at + 3], 4
        elif size == 127:
            if n - at < 10:
                break
            size, head = int.from_bytes(buf[at + 2:at + 10], "big"), 10
        if n - at < head + size:
            break
        frames.append((buf[at] & 0x0F, buf[at] & 0x80, buf[at + head:at + head + size]))
        at += head + size
    return frames, at


class WS:
    """Enough of RFC 6455 and Engine.IO 4 / Socket.IO 5 for this benchmark (blocking socket)."""

    def __init__(self, port: int, token: str | None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                           f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf, self.partial, self.pending = b"", b"", []
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
        self.sock.sendall(mask_frame(text.encode()))

    def read(self, timeout: float | None = None) -> list[str]:
        """The text messages that one `recv` completes (pings answered); [] on timeout."""
        self._parse()
        if not self.pending:
            if timeout is not None and not select.select([self.sock], [], [], timeout)[0]:
                return []
            chunk = self.sock.recv(262144)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buf += chunk
            self._parse()
        out, self.pending = self.pending, []
        return out

    def _parse(self) -> None:
        frames, used = parse_frames(self.buf)
        self.buf = self.buf[used:]
        for opcode, fin, payload in frames:
            if opcode == 0x8:
                raise ConnectionError("closed by the server")
            self.partial += payload
            if fin:
                message, self.partial = self.partial.decode(), b""
                if message == "2":
                    self.send("3")
                else:
                    self.pending.append(message)

    def next_frame(self) -> str:
        while not self.pending:
            self.pending = self.read()
        return self.pending.pop(0)

    def emit(self, event: str, data: dict) -> int:
        self.ack_id += 1
        self.send(f"42/live,{self.ack_id}" + json.dumps([event, data]))
        return self.ack_id

    def call(self, event: str, data: dict) -> dict:
        prefix = f"43/live,{self.emit(event, data)}"
        while True:
            frame = self.next_frame()
            if frame.startswith(prefix):
                return json.loads(frame[len(prefix):])[0]


# --- Receivers: one epoll loop per process ----------------------------------------------------

EVENT, STAMP = b'42/live,["event"', b'"t='


def receive(port: int, token: str | None, session_id: int, count: int, pipe, delivered,
            nap: float) -> None:
    """A receiver process: `count` joined sockets, read by one epoll loop. Commands on `pipe`:
    "reset" (forget latencies), "report" (send them back and forget them), "stop".
    When few sockets are ready it naps `nap` seconds first, so that one wake-up reads many
    frames; the nap counts in the measured latency (it can only make it look worse)."""
    gc.collect()  # what the fork inherited is not garbage: keep collections out of the timings
    gc.freeze()
    socks = {}
    for _ in range(count):
        ws = WS(port, token)
        reply = ws.call("join", {"session_id": session_id})
        if not reply.get("ok"):
            raise RuntimeError(f"join refused: {reply}")
        ws.sock.setblocking(False)
        socks[ws.sock.fileno()] = [ws.sock, ws.buf]
    poller = select.epoll()
    for fd in socks:
        poller.register(fd, select.EPOLLIN)
    poller.register(pipe.fileno(), select.EPOLLIN)
    latencies = array("d")
    pipe.send("ready")
    now, pong = time.time, mask_frame(b"3")
    while True:
        ready = poller.poll()
        if nap and len(ready) < 64:  # let more arrive: fewer wake-ups and syscalls per frame
            time.sleep(nap)
            ready = poller.poll(0)
        for fd, _ in ready:
            entry = socks.get(fd)
            if entry is None:  # a command
                command = pipe.recv()
                if command == "stop":
                    return
                if command == "report":
                    pipe.send_bytes(latencies.tobytes())
                latencies = array("d")
                delivered.value = 0
                continue
            sock, buf = entry
            chunk = sock.recv(262144)
            if not chunk:
                poller.unregister(fd)
                continue
            t = now()
            buf = buf + chunk if buf else chunk
            n, at, got = len(buf), 0, 0
            while n - at >= 2:  # server frames: unmasked, short, never fragmented here
                size, head = buf[at + 1] & 0x7F, 2
                if size == 126:
                    if n - at < 4:
                        break
                    size, head = (buf[at + 2] << 8) | buf[at + 3], 4
                elif size == 127:
                    if n - at < 10:
                        break
                    size, head = int.from_bytes(buf[at + 2:at + 10], "big"), 10
                end = at + head + size
                if end > n:
                    break
                start = at + head
                if buf.startswith(EVENT, start):
                    i = buf.find(STAMP, start, end)
                    if i > 0:
                        latencies.append(t - float(buf[i + 3:buf.find(b'"', i + 3, end)]))
                        got += 1
                elif size == 1 and buf[start] == 0x32:  # Engine.IO ping
                    sock.send(pong)
                at = end
            entry[1] = buf[at:] if at < n else b""
            if got:
                delivered.value += got


class Receivers:
    """`clients` receivers over `procs` processes (forked: nothing to pickle)."""

    def __init__(self, port, token, session_id, clients: int, procs: int, nap: float) -> None:
        ctx = multiprocessing.get_context("fork")
        self.parts = []
        for k in range(procs):
            count = clients // procs + (1 if k < clients % procs else 0)
            if not count:
                continue
            mine, theirs = ctx.Pipe()
            delivered = ctx.RawValue("q", 0)
            proc = ctx.Process(target=receive, args=(port, token, session_id, count, theirs,
                                                     delivered, nap), daemon=True)
            proc.start()
            self.parts.append((proc, mine, delivered))
        for _proc, pipe, _ in self.parts:
            if not pipe.poll(120):
                raise RuntimeError("receivers did not join")
            pipe.recv()

    def delivered(self) -> int:
        return sum(d.value for _, _, d in self.parts)

    def reset(self) -> None:
        for _, pipe, _ in self.parts:
            pipe.send("reset")
        while self.delivered():  # each process zeroes its counter when it takes the command
            time.sleep(0.001)

    def report(self) -> list[float]:
        latencies = array("d")
        for _, pipe, _ in self.parts:
            pipe.send("report")
        for _, pipe, _ in self.parts:
            latencies.frombytes(pipe.recv_bytes())
        return latencies.tolist()

    def wait(self, expected: int, timeout: float) -> None:
        deadline = time.time() + timeout
        while self.delivered() < expected and time.time() < deadline:
            time.sleep(0.002)

    def stop(self) -> None:
        for _proc, pipe, _ in self.parts:
            pipe.send("stop")
        for proc, _, _ in self.parts:
            proc.join(5)
            if proc.is_alive():
                proc.kill()


# --- One run ------------------------------------------------------------------------------


def cpu_seconds(pids) -> float:
    """User + system CPU time used so far by these processes (Linux /proc)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def measure(port: int, tokens: dict, session_id: int, clients: int, seconds: float,
            window: int, procs: int, nap: float, server_pids: list[int],
            on_joined=None) -> dict:
    receivers = Receivers(port, tokens["receiver"], session_id, clients, procs, nap)
    sender = WS(port, tokens["sender"])
    assert sender.call("join", {"session_id": session_id})["ok"]
    time.sleep(2.0)  # let the joins' presence broadcast go out before measuring
    spread = on_joined() if on_joined else ""
    receivers.reset()

    def chat() -> None:
        sender.emit("chat", {"session_id": session_id, "body": f"t={time.time():.6f}"})

    def acks(timeout: float) -> int:
        return sum(1 for frame in sender.read(timeout) if frame.startswith("43/live,"))

    # Saturated: keep `window` chats in flight.
    sent = acked = 0
    receiver_pids = [proc.pid for proc, _, _ in receivers.parts]
    cpu = (cpu_seconds(server_pids), cpu_seconds(receiver_pids), cpu_seconds([os.getpid()]))
    start = time.time()
    while time.time() - start < seconds:
        while sent - acked < window:
            chat()
            sent += 1
        acked += acks(0.05)
    while acked < sent and time.time() - start < seconds + 30:
        acked += acks(0.05)
    expected = sent * clients
    receivers.wait(expected, 30)
    elapsed = time.time() - start
    cpu = [cpu_seconds(pids) - before for pids, before in
           zip((server_pids, receiver_pids, [os.getpid()]), cpu, strict=True)]
    latencies = receivers.report()
    saturated = {"sent": sent, "delivered": len(latencies), "elapsed": elapsed, "cpu": cpu,
                 "deliveries_per_s": len(latencies) / elapsed,
                 "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}

    # Steady: 10 messages per second, on a fixed schedule.
    steady_sent = int(10 * seconds)
    start = time.time()
    for k in range(steady_sent):
        while (wait := start + k / 10 - time.time()) > 0:
            acks(wait)
        chat()
    receivers.wait(steady_sent * clients, 10)
    latencies = receivers.report()
    steady = {"delivered": len(latencies), "expected": steady_sent * clients,
              "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}
    receivers.stop()
    sender.sock.close()
    return {"saturated": saturated, "steady": steady, "spread": spread}


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
        confirmed = utcnow()  # members who may speak have confirmed their address
        mod = User(email="mod@bench.test", display_name="Moderator", password_hash="x",
                   sector=Sector.CIVIL_SERVICE, role=Role.MODERATOR, email_confirmed_at=confirmed)
        receiver = User(email="r@bench.test", display_name="Receiver", password_hash="x",
                        sector=Sector.BUSINESS, email_confirmed_at=confirmed)
        sender = User(email="s@bench.test", display_name="Sender", password_hash="x",
                      sector=Sector.POLITICS, email_confirmed_at=confirmed)
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
                  "sender": accounts.create_token(sender, "bench", ("read", "write"))[1]}
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


class BenchCluster:
    """deploy/cluster.py's cluster (no worker) with a redis-server of its own on a free port."""

    def __init__(self, database_url: str, size: int) -> None:
        import importlib.util
        import shutil

        spec = importlib.util.spec_from_file_location("radslag_cluster",
                                                      ROOT / "deploy" / "cluster.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.tmp = tempfile.mkdtemp(prefix="fanout-cluster-")
        redis_port = free_port()
        self.redis = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port",
             str(redis_port), "--save", "", "--appendonly", "no", "--dir", self.tmp],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        first = free_port()
        self.port = free_port()
        self.cluster = module.Cluster({
            "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "bench",
            "FORUM_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "FORUM_ASYNC_MODE": "gevent", "FORUM_TRUSTED_PROXIES": "1",
            "RADSLAG_LB_ADDRESS": f"127.0.0.1:{self.port}", "RADSLAG_SERVERS": str(size),
            "RADSLAG_FIRST_PORT": str(first), "RADSLAG_RUN_DIR": self.tmp,
            "RADSLAG_WORKER": "0"})
        try:
            self.cluster.start(migrate=False, seed=False)
        except Exception:
            self.stop()
            raise

    def pids(self) -> list[int]:
        names = ["haproxy", *(f"server-{n}" for n in range(1, self.cluster.count + 1))]
        return [pid for name in names if (pid := self.cluster.pid(name))]

    def spread(self) -> str:
        return " ".join(f"{name}={row['scur']}" for name, row in self.cluster.stats().items())

    def stop(self) -> None:
        self.cluster.stop()
        self.redis.terminate()
        self.redis.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="*", default=[50, 200, 500])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--window", type=int, default=64, help="chats in flight (saturated)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--servers", nargs="*", default=["ceiling", "live"],
                        help="ceiling, live, cluster (PostgreSQL and HAProxy needed)")
    parser.add_argument("--cluster-size", type=int, default=3, help="processes behind HAProxy")
    parser.add_argument("--procs", type=int, default=2, help="receiver processes")
    parser.add_argument("--nap-ms", type=float, default=0.5,
                        help="a receiver process with few sockets ready waits this long first")
    parser.add_argument("--cpu", action="store_true",
                        help="also print CPU time per delivery of server and load generator")
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
            session_id, tokens = (prepare_live_database(database_url) if kind != "ceiling"
                                  else (1, {"receiver": None, "sender": None}))
            spread = ""
            if kind == "cluster":
                cluster = BenchCluster(database_url, args.cluster_size)
                try:
                    redis_cpu = cpu_seconds([cluster.redis.pid])
                    result = measure(cluster.port, tokens, session_id, clients, args.seconds,
                                     args.window, args.procs, args.nap_ms / 1000,
                                     cluster.pids(), on_joined=cluster.spread)
                    spread = result.pop("spread")
                    redis_cpu = cpu_seconds([cluster.redis.pid]) - redis_cpu
                    spread += (f"; Redis CPU over the whole run (both phases, joins included): "
                               f"{redis_cpu:.2f} s")
                finally:
                    cluster.stop()
            else:
                port = free_port()
                proc = start_server(kind, port, database_url)
                try:
                    result = measure(port, tokens, session_id, clients, args.seconds,
                                     args.window, args.procs, args.nap_ms / 1000, [proc.pid])
                finally:
                    proc.terminate()
                    proc.wait(10)
            s, t = result["saturated"], result["steady"]
            lost = t["expected"] - t["delivered"] + (s["sent"] * clients - s["delivered"])
            print(f"{kind:8} {clients:7d} {s['sent']:6d} {s['deliveries_per_s']:9.0f} "
                  f"{s['p50_ms']:7.1f} {s['p99_ms']:7.1f} | {t['p50_ms']:8.1f} "
                  f"{t['p99_ms']:8.1f} {lost:5d}", flush=True)
            if spread:
                print(f"  sockets per process (HAProxy's count): {spread}", flush=True)
            if args.cpu:
                server, receivers, sender = (1e6 * c / max(1, s["delivered"]) for c in s["cpu"])
                cores = " ".join(f"{c / s['elapsed']:.2f}" for c in s["cpu"])
                print(f"  saturated, CPU µs per delivery: server {server:.1f}, receivers "
                      f"{receivers:.1f}, sender {sender:.1f} (cores busy: {cores})", flush=True)


if __name__ == "__main__":
    main()
