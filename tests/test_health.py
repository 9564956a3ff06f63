"""/healthz: 200 when the database (and Redis, and any added check) answer, 503 when one does
not; no session, no configuration in the answer."""
from __future__ import annotations

import os
import socket

import pytest

from forum import create_app, health
from forum.extensions import db as _db
from tests.conftest import skip_or_fail

REVEALING = ("sqlite", "postgres", "redis://", "127.0.0.1", "localhost", "version", "instance")


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _probe(app):
    with app.app_context():
        response = app.test_client().get("/healthz")
        _db.engine.dispose()  # this app's connections close with the test
    return response


def _assert_reveals_nothing(response) -> None:
    text = response.get_data(as_text=True).lower()
    assert not [word for word in REVEALING if word in text], text
    assert "Set-Cookie" not in response.headers
    assert set(response.json) == {"status", "checks"}


def test_healthy_forum_answers_200_without_a_session(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"
    _assert_reveals_nothing(response)


def test_redis_and_the_queue_on_it_are_checked_when_configured(app_config):
    url = os.environ.get("FORUM_TEST_REDIS_URL")
    if not url:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set")
    response = _probe(create_app({**app_config, "REDIS_URL": url}))
    assert response.status_code == 200, response.json
    assert response.json["checks"] == {"database": "ok", "redis": "ok", "queue": "ok"}


def test_redis_down_answers_503(app_config):
    app = create_app({**app_config, "REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"})
    response = _probe(app)
    assert response.status_code == 503
    assert response.json == {"status": "down",
                             "checks": {"database": "ok", "redis": "down", "queue": "down"}}


def test_a_queue_whose_storage_cannot_open_answers_503(app_config):
    app = create_app({**app_config, "JOBS_SQLITE_PATH": "/etc/hostname/jobs.sqlite3"})
    response = _probe(app)
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "queue": "down"}
    _assert_reveals_nothing(response)
    _assert_reveals_nothing(response)


@pytest.mark.parametrize("url", [
    "sqlite:////nonexistent-folder/forum.sqlite3",
    "postgresql+psycopg://postgres@127.0.0.1:{port}/forum",
], ids=["sqlite", "postgresql"])
def test_database_unreachable_answers_503(url, app_config):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url.format(port=_closed_port())})
    response = _probe(app)
    assert response.status_code == 503
    assert response.json == {"status": "down", "checks": {"database": "down", "queue": "ok"}}
    _assert_reveals_nothing(response)


def test_a_feature_adds_its_own_check(app, client):
    def mail_check():
        raise ConnectionError("no SMTP server")

    health.add_check(app, "mail", mail_check)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "queue": "ok", "mail": "down"}
    health.add_check(app, "mail", lambda: None)
    assert client.get("/healthz").json == {
        "status": "ok", "checks": {"database": "ok", "queue": "ok", "mail": "ok"}}
