"""Behind an HTTPS proxy (FORUM_BEHIND_HTTPS, FORUM_TRUSTED_PROXIES): Secure cookies, HSTS,
the client's address and scheme from exactly as many X-Forwarded-* hops as are trusted."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import create_app, jobs
from forum.extensions import db
from forum.models.security import LoginSession
from tests import factories
from tests.conftest import RequestScopedClient, _config


@pytest.fixture
def make_app(database_url, app):
    """make_app(**settings) -> another app on the test database, its requests in their own
    contexts (the `app` fixture keeps the schema and empties it afterwards)."""

    made = []

    def make(**settings):
        other = create_app(_config(database_url, JOBS_SQLITE_PATH=app.config["JOBS_SQLITE_PATH"],
                                   MAIL_OUTBOX_DIR=app.config["MAIL_OUTBOX_DIR"], **settings))
        other.test_client_class = RequestScopedClient
        made.append(other)
        return other

    yield make
    for other in made:  # its own engine: close its connections before it is collected
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    jobs.init_app(app)  # the job queue belongs to the test's own app again


def _sign_in(client, user, **kwargs):
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "remember": "y"}, **kwargs)
    assert response.status_code == 302
    return response


def _cookie_lines(response) -> dict[str, str]:
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


def test_behind_https_cookies_are_secure_and_hsts_is_sent(make_app, db):
    app = make_app(BEHIND_HTTPS=True)
    client = app.test_client()
    cookies = _cookie_lines(_sign_in(client, factories.make_user(),
                                     headers={"X-Forwarded-Proto": "https"}))
    for name in ("radslag_session", "remember_token", "radslag_device"):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name], cookies[name]
    hsts = client.get("/about").headers["Strict-Transport-Security"]
    assert hsts == "max-age=31536000"


def test_without_https_there_is_no_hsts_and_no_secure_flag(make_app, db):
    app = make_app()
    client = app.test_client()
    cookies = _cookie_lines(_sign_in(client, factories.make_user()))
    assert "Secure" not in cookies["radslag_session"]
    assert "Strict-Transport-Security" not in client.get("/about").headers


def test_one_trusted_proxy_by_default_behind_https(make_app, db):
    app = make_app(BEHIND_HTTPS="yes")
    assert app.config["BEHIND_HTTPS"] is True and app.config["TRUSTED_PROXIES"] == 1
    user = factories.make_user()
    _sign_in(app.test_client(), user, headers={
        "X-Forwarded-For": "10.9.9.9, 198.51.100.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"})
    record = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert record.ip_prefix == "198.51.100.0/24"  # the proxy's view, not the forgeable first hop
    with app.test_request_context("/", headers={"X-Forwarded-Proto": "https"}):
        from flask import url_for

        assert url_for("home.index", _external=True).startswith("https://")


def test_two_trusted_proxies_take_the_second_hop(make_app, db):
    app = make_app(BEHIND_HTTPS=True, TRUSTED_PROXIES="2")
    user = factories.make_user()
    _sign_in(app.test_client(), user, headers={"X-Forwarded-For": "203.0.113.5, 10.0.0.2"})
    record = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert record.ip_prefix == "203.0.113.0/24"


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app, db):
    app = make_app()
    assert app.config["TRUSTED_PROXIES"] == 0
    user = factories.make_user()
    _sign_in(app.test_client(), user, headers={"X-Forwarded-For": "203.0.113.5"},
             environ_base={"REMOTE_ADDR": "192.0.2.1"})
    record = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert record.ip_prefix == "192.0.2.0/24"


def test_the_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("FORUM_BEHIND_HTTPS", "1")
    monkeypatch.setenv("FORUM_TRUSTED_PROXIES", "0")
    monkeypatch.setenv("FORUM_SITE_URL", "https://radslag.example.se/")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["TRUSTED_PROXIES"] == 0
    assert app.config["SITE_URL"] == "https://radslag.example.se"
    monkeypatch.setenv("FORUM_TRUSTED_PROXIES", "one")
    with pytest.raises(ValueError, match="FORUM_TRUSTED_PROXIES"):
        create_app()
