"""Structured logs: a request id on every line, in the X-Request-ID header and on error pages;
JSON lines when asked; Socket.IO records carry the connection's id; no secret is ever logged."""
from __future__ import annotations

import io
import json
import logging
import re

import pytest

from forum import logs
from forum.extensions import socketio
from tests import factories


@pytest.fixture
def captured(app):
    """Everything logged while the test runs, formatted as the app's handler would (JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.formatter("json"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_response_carries_a_request_id_and_the_request_line_logs_it(client, captured):
    response = client.get("/about")
    rid = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    line = next(r for r in records(captured) if r["logger"] == "forum.requests")
    assert line["request_id"] == rid
    assert (line["method"], line["route"], line["status"]) == ("GET", "/about", 200)


def test_the_request_line_names_the_route_not_the_typed_path(client, db, captured):
    thread = factories.make_thread()
    client.get(f"/threads/{thread.id}?page=1&secret=abc123")
    line = next(r for r in records(captured) if r["logger"] == "forum.requests")
    assert line["route"] == "/threads/<int:thread_id>"
    assert line["ids"] == {"thread_id": thread.id}
    assert "abc123" not in json.dumps(records(captured))


def test_a_sane_request_id_from_the_proxy_is_kept(client):
    response = client.get("/about", headers={"X-Request-ID": "nginx-3f2a9c1d-0001"})
    assert response.headers["X-Request-ID"] == "nginx-3f2a9c1d-0001"


@pytest.mark.parametrize("incoming", ["short", "x" * 300, "abc def ghi jkl", "<script>x</script>",
                                      "ok-looking\nInjected: header"])
def test_an_odd_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/about", headers={"X-Request-ID": incoming.replace("\n", "")})
    assert response.headers["X-Request-ID"] != incoming.replace("\n", "")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_error_pages_show_the_request_id_a_member_can_quote(client):
    response = client.get("/threads/999999")
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)


def test_json_errors_carry_the_request_id(client):
    response = client.get("/threads/999999", headers={"Accept": "application/json"})
    assert response.json["error"]["request_id"] == response.headers["X-Request-ID"]


def test_an_unexpected_error_is_logged_with_its_request_id(app, client, captured, monkeypatch):
    from forum.services.discussion import overview

    def broken(_viewer):
        raise RuntimeError("the front page broke")

    monkeypatch.setattr(overview, "front_page", broken)
    response = client.get("/")
    assert response.status_code == 500
    rid = response.headers["X-Request-ID"]
    assert rid in response.get_data(as_text=True)
    error = next(r for r in records(captured) if r["level"] == "ERROR")
    assert error["request_id"] == rid and "the front page broke" in error["exc_info"]


def test_text_format_is_one_readable_line_with_the_request_id(app):
    record = logging.LogRecord("forum", logging.INFO, __file__, 1, "hello %s", ("there",), None)
    with app.test_request_context(headers={"X-Request-ID": "abcdef0123456789"}):
        logs.ContextFilter().filter(record)
        line = logs.formatter("text").format(record)
    assert line.endswith("INFO [abcdef0123456789] forum: hello there")


def test_log_format_comes_from_the_setting(app):
    from forum import create_app
    from tests.conftest import _config

    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_forum_handler", 0))
    try:
        create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"], LOG_FORMAT="json"))
        assert isinstance(handler.formatter, logs.JsonFormatter)
        create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"], LOG_FORMAT="text"))
        assert not isinstance(handler.formatter, logs.JsonFormatter)
    finally:
        handler.setFormatter(logs.formatter(app.config["LOG_FORMAT"]))
    assert sum(getattr(h, "_forum_handler", 0) for h in logging.getLogger().handlers) == 1


def test_socket_events_log_with_the_connection_id(app, db, captured):
    member = factories.make_user()
    flask_client = app.test_client()
    flask_client.post("/login", data={"email": member.email, "password": factories.PASSWORD})
    live = socketio.test_client(app, namespace="/live", flask_test_client=flask_client)
    reply = live.emit("join", {"session_id": 999999}, namespace="/live", callback=True)
    live.disconnect("/live")
    assert reply["ok"] is False
    socket_lines = [r for r in records(captured) if r["logger"] == "forum.blueprints.live.events"]
    assert {r["message"] for r in socket_lines} >= {
        f"live connection opened by member {member.id}", "live on_join refused: not_found",
        "live connection closed"}
    sids = {r["sid"] for r in socket_lines}
    assert len(sids) == 1 and re.fullmatch(r"sid:\S+", sids.pop())


def test_no_password_token_cookie_or_hash_is_ever_logged(app, db, client, captured, monkeypatch):
    """Registration, sign-in, a token made and used (API and live room), a password change
    and a database error in a request full of secrets: the captured log holds none of them."""
    from forum.services import accounts

    app.config["RATELIMIT_ENABLED"] = False
    first, second = "Ljungblomma-Hamnkran-41", "Vinterek-Kajplats-Trappa-77"
    email = "secret.person@example.org"
    assert client.post("/register", data={
        "email": email, "password": first, "confirm": first, "display_name": "Sekretess Test",
        "sector": "politics"}).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": email, "password": first,
                                       "remember": "y"}).status_code == 302
    client.post("/login", data={"email": email, "password": "wrong-" + first})
    page = client.post("/account/tokens", data={"name": "script", "scopes": ["read", "write"]}
                       ).get_data(as_text=True)
    token = re.search(r"rds_[A-Za-z0-9_-]+", page).group(0)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code \
        == 200
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
    live = socketio.test_client(app, namespace="/live", auth={"token": token})
    live.disconnect("/live")
    socketio.test_client(app, namespace="/live", auth={"token": token + "x"})
    assert client.post("/account/password", data={
        "current_password": first, "new_password": second, "confirm": second}).status_code == 302
    cookies = [client.get_cookie(name).value for name in ("radslag_session", "remember_token")]
    password_hash = accounts.find_by_email(email).password_hash
    monkeypatch.setattr(accounts, "find_by_email", lambda _email: None)  # a duplicate gets through
    client.post("/logout")
    response = client.post("/register", data={
        "email": email, "password": second, "confirm": second, "display_name": "Again",
        "sector": "politics"})
    assert response.status_code == 500
    text = captured.getvalue()
    assert "IntegrityError" in text  # the error was logged ...
    for secret in (first, second, token, password_hash, "$argon2id$", *cookies):
        assert secret not in text  # ... and nothing secret with it
