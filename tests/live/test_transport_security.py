"""Over real server processes: a socket from another site is refused with a clear message,
and signing out on one server closes the member's socket held by another (through Redis)."""
from __future__ import annotations

import re

import pytest
import requests
import socketio

from tests import factories
from tests.live.conftest import make_live_session, transport_redis_url

pytestmark = pytest.mark.transport


def _csrf(http: requests.Session, url: str) -> str:
    page = http.get(url, timeout=10).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _browser_sign_in(server, user) -> requests.Session:
    http = requests.Session()
    token = _csrf(http, server.url + "/login")
    response = http.post(server.url + "/login", allow_redirects=False, timeout=10, data={
        "csrf_token": token, "email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.text[:300]
    return http


def _socket(server, http: requests.Session, origin: str) -> tuple[socketio.Client, list]:
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
    refusals: list = []
    client.on("connect_error", refusals.append, namespace="/live")
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    try:
        client.connect(server.url, namespaces=["/live"], transports=["websocket"],
                       headers={"Cookie": cookie}, wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        pass
    return client, refusals


def _wait(predicate, timeout=5.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.05)
    return predicate()


def test_a_foreign_origin_gets_a_clear_refusal(servers):
    server = servers()
    http = _browser_sign_in(server, factories.make_user())
    client, refusals = _socket(server, http, "https://evil.example")
    try:
        assert "/live" not in client.namespaces
        assert refusals and refusals[0]["data"] == {"code": "bad_origin"}
        # the server speaks its default language, Swedish, to a client that chose none
        assert "bara emot från sidor i det här forumet" in refusals[0]["message"]
    finally:
        client.disconnect()


def test_sign_out_on_one_server_closes_the_socket_held_by_another(servers):
    redis_url = transport_redis_url()
    one, two = servers(redis_url=redis_url), servers(redis_url=redis_url)
    session, user = make_live_session(), factories.make_user()
    http = _browser_sign_in(one, user)
    client, refusals = _socket(two, http, two.url)
    try:
        assert "/live" in client.namespaces, refusals
        assert client.call("join", {"session_id": session.id}, namespace="/live",
                           timeout=10)["ok"]
        token = _csrf(http, one.url + "/")
        assert http.post(one.url + "/logout", data={"csrf_token": token}, timeout=10,
                         allow_redirects=False).status_code == 302
        assert _wait(lambda: not client.connected)
    finally:
        client.disconnect()
