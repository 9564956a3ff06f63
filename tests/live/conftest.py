"""Live-room fixtures: sessions, Socket.IO test clients signed in as given members, and for
the transport tests real server processes with real websocket clients."""
from __future__ import annotations

import os
from datetime import timedelta

import pytest

from forum import create_app
from forum.extensions import db as _db
from forum.extensions import socketio
from forum.models.base import utcnow
from forum.models.live import (
    Attribution,
    Invitation,
    LiveSession,
    SessionPerson,
    SessionRole,
    SessionStatus,
    Visibility,
)
from forum.services import accounts
from tests import factories
from tests.browser.conftest import (  # noqa: F401 - the browser suite's fixtures, for test_browser
    chromium_browser,
    demo_page,
    live_server,
    new_context,
)
from tests.conftest import _clear_tables, _config, skip_or_fail
from tests.live.transport import Client, Follower, Server


def make_live_session(*, moderator=None, hosts=(), invitees=(), topic=None,
                      status=SessionStatus.LIVE, **overrides) -> LiveSession:
    """A session inserted directly (live by default), with a session moderator."""
    topic = topic or factories.make_topic()
    moderator = moderator or factories.make_moderator()
    start = utcnow() - timedelta(minutes=5)
    fields = {"title": "Roundtable on housing", "description_source": "Agenda",
              "description_html": "<p>Agenda</p>", "starts_at": start,
              "ends_at": start + timedelta(hours=1), "visibility": Visibility.PUBLIC,
              "attribution": Attribution.ON_RECORD, "status": status}
    fields.update(overrides)
    session = LiveSession(focus_area_id=topic.focus_area_id, topic_id=topic.id,
                          created_by_id=moderator.id, **fields)
    _db.session.add(session)
    _db.session.flush()
    session.people.append(SessionPerson(user_id=moderator.id, role=SessionRole.MODERATOR))
    for n, host in enumerate(hosts):
        session.people.append(SessionPerson(user_id=host.id, role=SessionRole.HOST, position=n))
    for user in invitees:
        _db.session.add(Invitation(session_id=session.id, user_id=user.id))
    _db.session.commit()
    return session


@pytest.fixture
def live_session():
    return make_live_session


@pytest.fixture
def live_client(app):
    """live_client(user) -> a Socket.IO test client on /live, signed in as `user`."""
    clients = []

    def connect(user=None, *, auth=None):
        flask_client = app.test_client()
        if user is not None:
            response = flask_client.post("/login", data={"email": user.email,
                                                         "password": factories.PASSWORD})
            assert response.status_code == 302
        client = socketio.test_client(app, namespace="/live", flask_test_client=flask_client,
                                      auth=auth)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.is_connected("/live"):
            client.disconnect("/live")


def events(client, name: str = "event") -> list[dict]:
    """The payloads of the `name` messages the client has received since last asked."""
    return [m["args"][0] for m in client.get_received("/live") if m["name"] == name]


def ack(client, event: str, payload=None) -> dict:
    if payload is None:
        return client.emit(event, namespace="/live", callback=True)
    return client.emit(event, payload, namespace="/live", callback=True)


# --- Transport tests: real server processes and websocket clients ---------------------------


@pytest.fixture
def tapp(database_url, _schema):
    """An app context on the test database, shared with the server processes."""
    app = create_app(_config(database_url))
    with app.app_context():
        yield app
        _db.session.remove()
        _clear_tables()
        _db.engine.dispose()


@pytest.fixture
def clients(tapp):
    """clients(server, user, ...) -> a websocket Client signed in with a new access token."""
    made: list[Client] = []

    def connect(server, user, **kwargs) -> Client:
        _token, secret = accounts.create_token(user, "transport test",
                                               ("read", "write", "moderate"))
        client = Client(server, secret, **kwargs)
        made.append(client)
        return client

    yield connect
    for client in made:
        client.close()


@pytest.fixture
def followers(tapp):
    """followers(server, user, session_id, ...) -> a Follower of that session's stream."""
    made: list[Follower] = []

    def follow(server, user, session_id: int, **kwargs) -> Follower:
        _token, secret = accounts.create_token(user, "transport test",
                                               ("read", "write", "moderate"))
        follower = Follower(server, secret, session_id, **kwargs)
        made.append(follower)
        return follower

    yield follow
    for follower in made:
        follower.close()


@pytest.fixture
def servers(tapp, database_url, clients, followers):
    """servers(redis_url=...) -> a started server process. At the end of the test, a server
    that logged a request it could not parse or a traceback fails it. Servers stop before the
    clients close, so no client is left reconnecting to them."""
    started: list[Server] = []

    def start(**kwargs) -> Server:
        server = Server(database_url, **kwargs).start()
        started.append(server)
        return server

    yield start
    problems = [line for server in started if server.proc is not None
                for line in server.problems()]
    for server in started:
        server.stop()
    assert problems == [], "the server logged what a healthy server never does"


def transport_redis_url() -> str:
    """FORUM_TEST_REDIS_URL, once it answers (skipped locally, failed in CI, when it does not)."""
    redis_url = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means no usable Redis
        skip_or_fail(f"Redis is not reachable at {redis_url}")
    return redis_url
