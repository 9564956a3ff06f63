"""Rate limits: 429 with a clear message and the time to wait, then recovery; new members
get tighter limits."""
from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.discussion import Post
from forum.models.moderation import Flag
from tests import factories


def _reply(client, thread, n):
    return client.post(f"/threads/{thread.id}/reply", data={"body": f"Reply {n}"})


def test_posting_limit_gives_429_with_time_to_wait(app, client, login, thread):
    app.config["NEW_MEMBER_POST_LIMIT"] = "2 per minute"
    login(factories.make_user())
    assert _reply(client, thread, 1).status_code == 302
    assert _reply(client, thread, 2).status_code == 302
    response = _reply(client, thread, 3)
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    told = re.search(r"wait (\d+) seconds", response.get_data(as_text=True))
    assert told and abs(int(told.group(1)) - wait) <= 1  # the header may be a second later
    assert db.session.scalar(select(func.count(Post.id)).where(Post.body_source == "Reply 3")) == 0


def test_limited_json_client_gets_code_and_wait(app, client, login, thread):
    app.config["NEW_MEMBER_POST_LIMIT"] = "1 per minute"
    login(factories.make_user())
    _reply(client, thread, 1)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "again"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "too_many_requests" and error["retry_after"] > 0


def test_posting_recovers_after_the_window(app, client, login, thread):
    # A window wide enough that a slow first request cannot outlast it.
    app.config["NEW_MEMBER_POST_LIMIT"] = "1 per 3 seconds"
    login(factories.make_user())
    assert _reply(client, thread, 1).status_code == 302
    assert _reply(client, thread, 2).status_code == 429
    time.sleep(3.1)
    assert _reply(client, thread, 3).status_code == 302


def test_new_members_have_tighter_limits_than_established_ones(app, client, login, thread):
    app.config["NEW_MEMBER_POST_LIMIT"] = "1 per minute"
    app.config["POST_LIMIT"] = "5 per minute"
    veteran = factories.make_user(verified=True)
    veteran.created_at = utcnow() - timedelta(days=400)
    db.session.commit()
    login(veteran)
    for n in range(3):
        assert _reply(client, thread, n).status_code == 302
    client.post("/logout")
    login(factories.make_user())
    assert _reply(client, thread, 10).status_code == 302
    assert _reply(client, thread, 11).status_code == 429


def test_flagging_is_limited(app, client, login, area):
    app.config["NEW_MEMBER_FLAG_LIMIT"] = "1 per minute"
    thread = factories.make_thread(factories.make_topic(area), posts=3)
    login(factories.make_user())
    posts = list(db.session.scalars(select(Post.id).where(Post.thread_id == thread.id)))
    assert client.post(f"/moderation/flag/post/{posts[0]}",
                       data={"reason": "spam"}).status_code == 302
    response = client.post(f"/moderation/flag/post/{posts[1]}", data={"reason": "spam"})
    assert response.status_code == 429
    assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_long_waits_are_told_in_minutes(app, client, login, area):
    app.config["NEW_MEMBER_THREAD_LIMIT"] = "1 per hour"
    topic = factories.make_topic(area)
    login(factories.make_user())
    data = {"title": "A question", "body": "Some text", "capacity": "personal"}
    assert client.post(f"/topics/{topic.id}/threads/new", data=data).status_code == 302
    response = client.post(f"/topics/{topic.id}/threads/new", data=data)
    assert response.status_code == 429
    assert 3000 < int(response.headers["Retry-After"]) <= 3600
    assert "about 60 minutes" in response.get_data(as_text=True)
