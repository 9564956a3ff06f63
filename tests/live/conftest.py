"""Live-room fixtures: sessions, and Socket.IO test clients signed in as given members."""
from __future__ import annotations

from datetime import timedelta

import pytest

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
from tests import factories
from tests.browser.conftest import (  # noqa: F401 - the browser suite's fixtures, for test_browser
    chromium_browser,
    demo_page,
    live_server,
    new_context,
)


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
