"""Helpers for the cluster tests: the cluster of deploy/cluster.py (HAProxy, three gevent
server processes, a worker) on free ports, with a Redis server of its own, and clients that
reach it through the load balancer, pinned to one process by HAProxy's SERVERID cookie the
way a returning browser is."""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import redis
import requests

from tests import factories
from tests.live.transport import ROOT, Follower, free_port

_spec = importlib.util.spec_from_file_location("radslag_cluster", ROOT / "deploy" / "cluster.py")
cluster_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cluster_module)
Cluster = cluster_module.Cluster

PRESENCE_TIMEOUT = 3  # seconds (FORUM_PRESENCE_TIMEOUT), so the tests see a dead process go


class RedisServer:
    """A redis-server of the test's own, on a free port (never another one's Redis)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="radslag-redis-")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1",
             "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def restart(self, pause: float = 0.5) -> None:
        self.stop()
        time.sleep(pause)
        self.start()


def make_cluster(database_url: str, redis_url: str, run_dir: Path, servers: int = 3) -> Cluster:
    first = free_port()
    while any(not _port_free(first + n) for n in range(servers)):
        first = free_port()
    lb = free_port()
    env = {"FORUM_DATABASE_URL": database_url, "FORUM_REDIS_URL": redis_url,
           "FORUM_SECRET_KEY": "cluster-test-secret", "FORUM_SITE_URL": f"http://127.0.0.1:{lb}",
           "FORUM_TRUSTED_PROXIES": "1", "FORUM_ASYNC_MODE": "gevent",
           "FORUM_LOG_FORMAT": "json", "FORUM_PRESENCE_TIMEOUT": str(PRESENCE_TIMEOUT),
           "RADSLAG_LB_ADDRESS": f"127.0.0.1:{lb}", "RADSLAG_SERVERS": str(servers),
           "RADSLAG_FIRST_PORT": str(first), "RADSLAG_RUN_DIR": str(run_dir),
           "RADSLAG_WORKER": "1"}
    return Cluster(env)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Via:
    """What a Follower needs of a server: its URL (here, the load balancer's)."""

    def __init__(self, url: str) -> None:
        self.url = url


class LBFollower(Follower):
    """A Follower that reaches the cluster through HAProxy: pinned to process `pin` by the
    SERVERID cookie (None: HAProxy chooses and its cookie keeps the client there), signed in
    by an access token or by a browser's session cookie, over websocket or long-polling."""

    def __init__(self, cluster: Cluster, session_id: int, *, token: str | None = None,
                 cookies: str = "", pin: int | None = None, transport: str = "websocket",
                 **options) -> None:
        self.cookies, self.pin, self.transport = cookies, pin, transport
        super().__init__(Via(cluster.url), token, session_id, **options)

    def connect(self, server=None) -> None:
        cookie = "; ".join(c for c in (self.cookies, f"SERVERID=s{self.pin}" if self.pin
                                       else "") if c)
        self.sio.connect(self.server.url, namespaces=["/live"], transports=[self.transport],
                         auth={"token": self.token} if self.token else None,
                         headers={"Cookie": cookie} if cookie else {}, wait_timeout=10)

    @property
    def served_by(self) -> str | None:
        """The SERVERID HAProxy gave a long-polling client."""
        http = getattr(self.sio.eio, "http", None)
        return http.cookies.get("SERVERID") if http is not None else None


def sign_in(cluster: Cluster, user, pin: int) -> requests.Session:
    """A browser-like session signed in through the load balancer on process `pin`."""
    browser = requests.Session()
    browser.cookies.set("SERVERID", f"s{pin}")
    page = browser.get(cluster.url + "/login", timeout=10)
    assert page.status_code == 200, page.status_code
    response = browser.post(cluster.url + "/login", timeout=10, allow_redirects=False, data={
        "csrf_token": csrf(page.text), "email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.text[:500]
    return browser


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_reply(cluster: Cluster, browser: requests.Session, thread_id: int, body: str) -> int:
    """Reply to a thread through the load balancer; returns the HTTP status."""
    form = browser.get(f"{cluster.url}/threads/{thread_id}/reply", timeout=10)
    assert form.status_code == 200, form.status_code
    response = browser.post(f"{cluster.url}/threads/{thread_id}/reply", timeout=10,
                            allow_redirects=False,
                            data={"csrf_token": csrf(form.text), "body": body,
                                  "capacity": "personal"})
    return response.status_code


def cookie_header(browser: requests.Session) -> str:
    """The forum's own cookies of a signed-in session (not HAProxy's)."""
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies if c.name != "SERVERID")


class Loader:
    """HTTP requests in a loop through the load balancer, each answer's status kept: pinned
    to one process (`pin`), or with a fresh client per request (HAProxy chooses)."""

    def __init__(self, cluster: Cluster, path: str = "/", *, pin: int | None = None) -> None:
        self.url, self.pin = cluster.url + path, pin
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            headers = {"Cookie": f"SERVERID=s{self.pin}"} if self.pin else {}
            try:
                self.statuses.append(requests.get(self.url, headers=headers, timeout=15)
                                     .status_code)
            except requests.RequestException as err:
                self.errors.append(repr(err))
            time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(20)
