"""A webhook receiver started in the test: a small HTTP server on 127.0.0.1 that checks
each delivery's signature the way docs/webhooks.md tells integrators to, and answers as the
test tells it (success, an error, or nothing for a while)."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from forum.models.accounts import Role
from forum.services.webhooks import endpoints
from tests import factories
from tests.api.conftest import api, token_for  # noqa: F401 - JSON requests with tokens


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as in the docs: t is recent, v1 is HMAC-SHA256(t + "." + body)."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


class Receiver:
    def __init__(self) -> None:
        self.secret = ""
        self.received: list[dict] = []  # every request: headers, body, signature_ok
        self.answers: list[int] = []  # status codes to give, in turn; then 204
        self.hang_seconds = 0.0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/radslag"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signed = verify(receiver.secret, self.headers.get("X-Radslag-Signature", ""),
                                body)
                with receiver.lock:
                    receiver.received.append({"headers": dict(self.headers), "body": body,
                                              "json": json.loads(body), "signed": signed,
                                              "path": self.path})
                    status = receiver.answers.pop(0) if receiver.answers else 204
                if receiver.hang_seconds:
                    time.sleep(receiver.hang_seconds)
                self.send_response(status if signed else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    """receiver() -> a new Receiver; all are closed after the test."""
    made: list[Receiver] = []

    def make() -> Receiver:
        made.append(Receiver())
        return made[-1]

    yield make
    for one in made:
        one.close()


@pytest.fixture
def admin(db):
    return factories.make_user(role=Role.ADMIN, verified=True)


@pytest.fixture
def register(admin):
    """register(receiver, *kinds) -> an endpoint for the receiver (all kinds when none)."""

    def make(rec: Receiver, *kinds: str):
        endpoint = endpoints.create(admin, endpoints.EndpointData(
            url=rec.url, kinds=list(kinds or endpoints.KINDS)))
        rec.secret = endpoint.secret
        return endpoint

    return make
