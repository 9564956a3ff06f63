"""Fixtures for the API tests: tokens with chosen scopes, a JSON client that sends them."""
from __future__ import annotations

import pytest

from forum.services import accounts
from tests import factories
from tests.live.conftest import live_client  # noqa: F401 - Socket.IO clients in the room

ALL_SCOPES = ("read", "write", "moderate")


@pytest.fixture
def token_for():
    """token_for(user, *scopes) -> the secret of a new token (all scopes when none given)."""

    def make(user, *scopes: str) -> str:
        _token, secret = accounts.create_token(user, "tests", scopes or ALL_SCOPES)
        return secret

    return make


@pytest.fixture
def api(client):
    """api(method, url, token=None, **kwargs): a request with the bearer token, if any."""

    def call(method: str, url: str, token: str | None = None, headers: dict | None = None,
             **kwargs):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return client.open(url, method=method, headers=headers, **kwargs)

    return call


@pytest.fixture
def world(db):
    """An area, a topic, a thread with three posts, a verified author and another member."""
    author = factories.make_user(verified=True, display_name="Ada Author")
    other = factories.make_user(verified=True, display_name="Otto Other")
    topic = factories.make_topic()
    thread = factories.make_thread(topic, author, posts=3)
    return type("World", (), {"author": author, "other": other, "topic": topic,
                              "thread": thread, "area": topic.focus_area})
