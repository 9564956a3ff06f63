"""CORS for configured origins only, and a question asked through the API reaching the room."""
from __future__ import annotations

import pytest

from forum import create_app
from forum.extensions import db
from tests.api.test_live import live_session
from tests.conftest import _config


def test_cors_is_off_by_default(api, world):
    response = api("GET", "/api/v1/areas", headers={"Origin": "https://intranet.example.se"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def cors_client(database_url, _schema, app):
    other = create_app(_config(database_url, CORS_ORIGINS="https://intranet.example.se"))
    yield other.test_client()
    with other.app_context():  # its own engine: close its connections, as the app fixture does
        db.session.remove()
        db.engine.dispose()


def test_a_configured_origin_may_call_the_api_and_no_other(cors_client, world):
    allowed = cors_client.get("/api/v1/areas", headers={"Origin": "https://intranet.example.se"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://intranet.example.se"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    other = cors_client.get("/api/v1/areas", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    page = cors_client.get("/", headers={"Origin": "https://intranet.example.se"})
    assert "Access-Control-Allow-Origin" not in page.headers  # pages never


def test_a_preflight_for_a_write_is_answered(cors_client, world):
    response = cors_client.options(f"/api/v1/threads/{world.thread.id}/posts", headers={
        "Origin": "https://intranet.example.se", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type, Idempotency-Key"})
    assert response.status_code == 200
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "idempotency-key" in allowed


def test_a_question_asked_through_the_api_reaches_members_in_the_room(api, world, token_for,
                                                                       live_client):
    session = live_session(world)
    watcher = live_client(world.author)
    assert watcher.emit("join", {"session_id": session.id}, namespace="/live",
                        callback=True)["ok"]
    watcher.get_received("/live")
    response = api("POST", f"/api/v1/live-sessions/{session.id}/questions",
                   token_for(world.other, "write"), json={"body": "Is it on the record?"})
    assert response.status_code == 201
    events = [m["args"][0] for m in watcher.get_received("/live") if m["name"] == "event"]
    assert [e["data"]["question"]["body"] for e in events if e["type"] == "question"] == [
        "Is it on the record?"]
