"""Over real server processes: a socket from another site is refused with a clear message,
and signing out (or being suspended) on one server closes the member's sockets held by another
(through Redis), on /live and on /deliberation."""
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


def _socket(server, http: requests.Session, origin: str,
            namespace: str = "/live") -> tuple[socketio.Client, list]:
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
    refusals: list = []
    client.on("connect_error", refusals.append, namespace=namespace)
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    try:
        client.connect(server.url, namespaces=[namespace], transports=["websocket"],
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


def _watching(server, http, proposal_id: int) -> socketio.Client:
    """A member's /deliberation socket on `server`, watching a proposal."""
    client, refusals = _socket(server, http, server.url, "/deliberation")
    assert "/deliberation" in client.namespaces, refusals
    reply = client.call("watch", {"kind": "proposal", "id": proposal_id},
                        namespace="/deliberation", timeout=10)
    assert reply["ok"], reply
    return client


def test_sign_out_on_one_server_closes_the_deliberation_socket_held_by_another(servers):
    """Issue 15 follow-up: /deliberation sockets too, not only /live ones."""
    from tests.proposals.conftest import make_proposal

    redis_url = transport_redis_url()
    one, two = servers(redis_url=redis_url), servers(redis_url=redis_url)
    proposal, user = make_proposal(), factories.make_user()
    http = _browser_sign_in(one, user)
    other_http = _browser_sign_in(one, user)  # the same member in a second browser
    client, other = _watching(two, http, proposal.id), _watching(two, other_http, proposal.id)
    try:
        token = _csrf(http, one.url + "/")
        assert http.post(one.url + "/logout", data={"csrf_token": token}, timeout=10,
                         allow_redirects=False).status_code == 302
        assert _wait(lambda: not client.connected)
        assert other.connected, "the member's other browser is still signed in"
    finally:
        client.disconnect()
        other.disconnect()


def test_a_suspension_on_one_server_closes_the_deliberation_sockets_held_by_another(servers):
    from tests.proposals.conftest import make_proposal

    redis_url = transport_redis_url()
    one, two = servers(redis_url=redis_url), servers(redis_url=redis_url)
    proposal = make_proposal()
    member, moderator = factories.make_user(), factories.make_moderator(verified=True)
    client = _watching(two, _browser_sign_in(two, member), proposal.id)
    staff = _browser_sign_in(one, moderator)
    try:
        url = f"{one.url}/moderation/members/{member.id}/suspend"
        response = staff.post(url, timeout=10, allow_redirects=False, data={
            "csrf_token": _csrf(staff, url), "reason": "Spam in every thread"})
        assert response.status_code == 302, response.text[:500]
        assert _wait(lambda: not client.connected)
    finally:
        client.disconnect()
