"""Live-room sockets: only pages of this forum may open them (Origin), and a member's open
sockets close when their session ends, they are suspended or their account is erased."""
from __future__ import annotations

import pytest
from flask import g

from forum.extensions import socketio
from forum.services import accounts
from forum.services.moderation import sanctions
from tests import factories
from tests.conftest import RequestScopedClient
from tests.live.conftest import ack

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def browser(app):
    """browser(user) -> (flask client signed in as user, its socket maker)."""
    app.test_client_class = RequestScopedClient
    sockets = []

    def make(user):
        flask_client = app.test_client()
        response = flask_client.post("/login", headers={"User-Agent": UA}, data={
            "email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302

        def socket(origin="http://localhost", **kwargs):
            g.pop("_login_user", None)  # the test's own context must not answer for this one
            g.pop("login_session", None)
            headers = {"Origin": origin} if origin else {}
            client = socketio.test_client(app, namespace="/live", flask_test_client=flask_client,
                                          headers=headers, **kwargs)
            sockets.append(client)
            return client

        return flask_client, socket

    yield make
    for client in sockets:
        if client.is_connected("/live"):
            client.disconnect("/live")


def _joined(socket, session):
    assert socket.is_connected("/live")
    reply = ack(socket, "join", {"session_id": session.id})
    assert reply["ok"], reply
    return socket


def test_a_socket_from_another_site_is_refused(app, db, browser):
    _flask, socket = browser(factories.make_user())
    assert not socket(origin="https://evil.example").is_connected("/live")
    assert not socket(origin="http://localhost.evil.example").is_connected("/live")
    assert not socket(origin="null").is_connected("/live")
    assert socket(origin="http://localhost").is_connected("/live")
    assert socket(origin=None).is_connected("/live")  # not a browser: nothing to forge


def test_the_configured_site_address_is_the_one_accepted(app, db, browser):
    app.config["SITE_URL"] = "https://radslag.example.se"
    _flask, socket = browser(factories.make_user())
    assert not socket(origin="http://localhost").is_connected("/live")
    assert socket(origin="https://radslag.example.se").is_connected("/live")
    assert socket(origin="https://RADSLAG.example.se:443").is_connected("/live")
    assert not socket(origin="https://radslag.example.se:8443").is_connected("/live")


def test_signing_out_closes_that_sessions_sockets_only(app, db, browser, live_session):
    session, user = live_session(), factories.make_user()
    laptop, laptop_socket = browser(user)
    _phone, phone_socket = browser(user)
    one, other = _joined(laptop_socket(), session), _joined(phone_socket(), session)
    idle = laptop_socket()  # connected, not in any room yet
    laptop.post("/logout")
    assert not one.is_connected("/live") and not idle.is_connected("/live")
    assert other.is_connected("/live")
    assert ack(other, "chat", {"session_id": session.id, "body": "still here"})["ok"]


def test_ending_a_session_from_the_list_closes_its_sockets(app, db, browser, live_session):
    from sqlalchemy import select

    from forum.models.security import LoginSession

    session, user = live_session(), factories.make_user()
    _phone, phone_socket = browser(user)
    laptop, _laptop_socket = browser(user)
    phone = _joined(phone_socket(), session)
    first = db.session.scalars(select(LoginSession).order_by(LoginSession.id)).first()
    laptop.post(f"/account/sessions/{first.id}/end")
    assert not phone.is_connected("/live")


def test_a_password_change_closes_the_other_sessions_sockets(app, db, browser, live_session):
    session, user = live_session(), factories.make_user()
    _phone, phone_socket = browser(user)
    laptop, _laptop_socket = browser(user)
    phone = _joined(phone_socket(), session)
    laptop.post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": "ny lång fras om hamnen",
        "confirm": "ny lång fras om hamnen"})
    assert not phone.is_connected("/live")


def test_suspension_closes_every_socket_of_the_member_tokens_too(app, db, browser,
                                                                 live_client, live_session):
    session, user = live_session(), factories.make_user()
    _flask, socket = browser(user)
    by_cookie = _joined(socket(), session)
    _token, secret = accounts.create_token(user, "display")
    by_token = _joined(live_client(None, auth={"token": secret}), session)
    bystander = _joined(browser(factories.make_user())[1](), session)
    sanctions.suspend(factories.make_moderator(), user.id, "Personal attacks")
    assert not by_cookie.is_connected("/live") and not by_token.is_connected("/live")
    assert bystander.is_connected("/live")


def test_erasure_closes_the_members_sockets(app, db, browser, live_session):
    session, user = live_session(), factories.make_user()
    flask_client, socket = browser(user)
    live = _joined(socket(), session)
    flask_client.post("/account/erase", data={"password": factories.PASSWORD, "confirm": "y"})
    assert not live.is_connected("/live")


def test_a_socket_whose_session_ended_cannot_join(app, db, browser, live_session, monkeypatch):
    """A socket held by another process is not closed from here (no presence row yet):
    the join refuses it."""
    from forum.services.live import sockets

    session, user = live_session(), factories.make_user()
    laptop, socket = browser(user)
    idle = socket()
    monkeypatch.setattr(sockets, "close", lambda *args, **kwargs: 0)  # as if elsewhere
    laptop.post("/logout")
    assert idle.is_connected("/live")
    reply = ack(idle, "join", {"session_id": session.id})
    assert reply["ok"] is False and reply["error"]["code"] == "unauthorized"


def test_the_deliberation_namespace_checks_origin_and_closes_on_sign_out(app, db, browser):
    user = factories.make_user()
    flask_client, _socket = browser(user)

    def deliberation(origin):
        g.pop("_login_user", None)
        g.pop("login_session", None)
        client = socketio.test_client(app, namespace="/deliberation",
                                      flask_test_client=flask_client, headers={"Origin": origin})
        return client

    assert not deliberation("https://evil.example").is_connected("/deliberation")
    watcher = deliberation("http://localhost")
    assert watcher.is_connected("/deliberation")
    flask_client.post("/logout")
    assert not watcher.is_connected("/deliberation")
