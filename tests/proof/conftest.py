"""Fixtures for the proof tests: real server processes writing into the suite's database."""
from __future__ import annotations

import os

import pytest

from tests.live.conftest import tapp  # noqa: F401 - the transport tests' app context
from tests.live.transport import Server

# Behind one trusted proxy, so each member's requests come from its own address (the
# X-Forwarded-For the members send), as they would in production.
PROXIED = {"FORUM_TRUSTED_PROXIES": "1"}


def worker_number() -> int:
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


@pytest.fixture
def proof_servers(tapp, database_url):  # noqa: F811
    """proof_servers(**kwargs) -> a started serve.py process on the test database. At the end,
    a server that logged a traceback or a request it could not parse fails the test."""
    started: list[Server] = []

    def start(**kwargs) -> Server:
        server = Server(database_url, env=PROXIED, **kwargs).start()
        started.append(server)
        return server

    yield start
    problems = [line for server in started if server.proc is not None
                for line in server.problems()]
    for server in started:
        server.stop()
    assert problems == [], "the server logged what a healthy server never does"
