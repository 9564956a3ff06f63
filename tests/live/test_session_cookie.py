"""The session cookie (forum/session_cookie.py): Flask's signed cookie with its serializer made
once per key, and no cookie work in the Socket.IO events after the connect, whose session
Flask-SocketIO brings along (the member stays signed in there)."""
from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from tests import factories
from tests.live.conftest import ack, make_live_session


def test_the_serializer_is_made_once_per_key_and_follows_a_new_key(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"n": 1})
    app.config["SECRET_KEY"] = "a-new-secret-key"
    renewed = interface.get_signing_serializer(app)
    assert renewed is not first
    with pytest.raises(BadSignature):
        renewed.loads(cookie)
    app.config["SECRET_KEY_FALLBACKS"] = [first.secret_keys[-1].decode()]
    assert interface.get_signing_serializer(app).loads(cookie) == {"n": 1}


def test_socket_events_after_the_connect_leave_the_cookie_alone(app, db, live_client,
                                                                monkeypatch):
    session = make_live_session()
    client = live_client(factories.make_user())  # the connect opened the cookie: signed in
    opened: list[str] = []
    real = SecureCookieSessionInterface.open_session

    def counting(self, app_, request):
        opened.append(request.path)
        return real(self, app_, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counting)
    assert ack(client, "join", {"session_id": session.id})["ok"]  # still the member
    assert ack(client, "chat", {"session_id": session.id, "body": "hej"})["ok"]
    assert opened == []
    assert app.test_client().get("/").status_code == 200  # HTTP requests open it as ever
    assert opened == ["/"]
