"""Writing through the API: scopes, the same rules as the pages, errors as problems."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models.discussion import Post, Reaction, Thread
from forum.models.moderation import Flag
from tests import factories


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def problem(response) -> dict:
    assert response.mimetype == "application/problem+json", response.data[:300]
    return json.loads(response.data)


def test_a_reply_is_created_with_201_and_location(api, world, token_for):
    token = token_for(world.other, "write")
    response = api("POST", f"/api/v1/threads/{world.thread.id}/posts", token,
                   json={"body": "Through the API", "parent_id": None})
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/api/v1/posts/{response.json['id']}")
    stored = db.session.get(Post, response.json["id"])
    assert stored.body_source == "Through the API" and stored.author_id == world.other.id
    assert stored.position == 4


def test_a_reply_to_a_post_elsewhere_is_refused_and_nothing_stored(api, world, token_for):
    elsewhere = factories.make_thread(world.topic, world.author)
    foreign = db.session.scalar(select(Post.id).where(Post.thread_id == elsewhere.id))
    response = api("POST", f"/api/v1/threads/{world.thread.id}/posts",
                   token_for(world.other, "write"), json={"body": "x", "parent_id": foreign})
    body = problem(response)
    assert response.status_code == 422 and body["code"] == "parent_elsewhere"
    assert body["errors"][0]["field"] == "parent_id"
    assert count(Post, Post.thread_id == world.thread.id) == 3


def test_validation_errors_name_each_field(api, world, token_for):
    response = api("POST", f"/api/v1/topics/{world.topic.id}/threads",
                   token_for(world.other, "write"),
                   json={"body": "", "capacity": "loud", "extra": 1})
    body = problem(response)
    assert response.status_code == 422
    fields = {e["field"] for e in body["errors"]}
    assert {"title", "body", "capacity", "extra"} <= fields
    assert all(e["location"] == "json" for e in body["errors"])


@pytest.mark.parametrize("scopes, status", [((), 401), (("read",), 403), (("moderate",), 403),
                                            (("write",), 201)])
def test_posting_needs_the_write_scope(api, world, token_for, scopes, status):
    token = token_for(world.other, *scopes) if scopes else None
    response = api("POST", f"/api/v1/threads/{world.thread.id}/posts", token,
                   json={"body": "Scoped"})
    assert response.status_code == status
    assert count(Post, Post.body_source == "Scoped") == (1 if status == 201 else 0)
    if status == 403:
        assert problem(response)["code"] == "insufficient_scope"
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_read_with_a_token_needs_the_read_scope(api, world, token_for):
    response = api("GET", f"/api/v1/threads/{world.thread.id}", token_for(world.other, "write"))
    assert response.status_code == 403
    assert api("GET", "/api/v1/me", token_for(world.other, "read")).json["id"] == world.other.id
    assert api("GET", "/api/v1/me").status_code == 401


def test_unknown_and_revoked_tokens_are_401(api, world, token_for):
    from forum.services import accounts
    assert problem(api("GET", "/api/v1/me", "rds_nope"))["code"] == "invalid_token"
    token = token_for(world.other, "read")
    tokens = accounts.list_tokens(world.other)
    accounts.revoke_token(world.other, tokens[0].id)
    assert api("GET", "/api/v1/me", token).status_code == 401
    assert api("GET", "/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_the_session_cookie_is_not_accepted_for_writes(app, api, world, login):
    """A signed-in browser session gives no API access: no CSRF through the API."""
    login(world.other)
    app.config["WTF_CSRF_ENABLED"] = True
    response = api("POST", f"/api/v1/threads/{world.thread.id}/posts", json={"body": "Forged"})
    assert response.status_code == 401
    assert count(Post, Post.body_source == "Forged") == 0
    assert api("GET", "/api/v1/me").status_code == 401


def test_a_token_writes_even_with_csrf_protection_on(app, api, world, token_for):
    app.config["WTF_CSRF_ENABLED"] = True
    response = api("POST", f"/api/v1/threads/{world.thread.id}/posts",
                   token_for(world.other, "write"), json={"body": "With CSRF on"})
    assert response.status_code == 201


def test_a_body_that_is_not_json_is_415_and_bad_json_400(api, world, token_for):
    token = token_for(world.other, "write")
    url = f"/api/v1/threads/{world.thread.id}/posts"
    form = api("POST", url, token, data={"body": "x"})
    assert form.status_code == 415 and problem(form)["status"] == 415
    broken = api("POST", url, token, data='{"body": ', content_type="application/json")
    assert broken.status_code == 400 and problem(broken)["code"] == "malformed_json"
    assert count(Post, Post.thread_id == world.thread.id) == 3


def test_an_oversized_body_is_413(app, api, world, token_for):
    response = api("POST", f"/api/v1/threads/{world.thread.id}/posts",
                   token_for(world.other, "write"),
                   json={"body": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413 and problem(response)["status"] == 413


def test_the_rules_of_the_pages_decide_a_suspended_member_may_not_post(api, world, token_for):
    from forum.models.accounts import Suspension
    db.session.add(Suspension(user_id=world.other.id, reason="Tone",
                              created_by_id=world.author.id))
    db.session.commit()
    response = api("POST", f"/api/v1/threads/{world.thread.id}/posts",
                   token_for(world.other, "write"), json={"body": "Still here"})
    assert response.status_code == 403 and "suspended" in problem(response)["detail"]


def test_rate_limits_are_shared_with_the_pages(app, api, client, world, token_for, login):
    app.config["POST_LIMIT"] = "2 per minute"
    token = token_for(world.other, "write")
    login(world.other)
    client.post(f"/threads/{world.thread.id}/reply", data={"body": "On the page"})
    assert api("POST", f"/api/v1/threads/{world.thread.id}/posts", token,
               json={"body": "First by API"}).status_code == 201
    limited = api("POST", f"/api/v1/threads/{world.thread.id}/posts", token,
                  json={"body": "One too many"})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0 and problem(limited)["retry_after"] > 0
    assert count(Post, Post.body_source == "One too many") == 0


def test_edit_delete_and_revisions(api, world, token_for):
    token = token_for(world.author, "read", "write")
    post_id = db.session.scalar(select(Post.id).where(Post.thread_id == world.thread.id,
                                                      Post.position == 2))
    edited = api("PATCH", f"/api/v1/posts/{post_id}", token, json={"body": "Better"})
    assert edited.status_code == 200 and edited.json["edit_count"] == 1
    history = api("GET", f"/api/v1/posts/{post_id}/revisions", token).json["items"]
    assert [r["body"] for r in history] == ["Post 2"]
    other = api("PATCH", f"/api/v1/posts/{post_id}", token_for(world.other, "write"),
                json={"body": "Not mine"})
    assert other.status_code == 403
    deleted = api("DELETE", f"/api/v1/posts/{post_id}", token)
    assert deleted.json["deleted"] is True
    assert db.session.get(Post, post_id).body_source == "Better"  # kept for moderators


def test_reactions_are_put_and_taken_back(api, world, token_for):
    token = token_for(world.other, "write")
    post_id = db.session.scalar(select(Post.id).where(Post.thread_id == world.thread.id,
                                                      Post.position == 1))
    url = f"/api/v1/posts/{post_id}/reactions/agree"
    assert api("PUT", url, token).json["reactions"]["agree"] == 1
    assert api("PUT", url, token).json["reactions"]["agree"] == 1  # again: no change
    assert count(Reaction) == 1
    assert api("DELETE", url, token).json["reactions"]["agree"] == 0
    assert api("PUT", f"/api/v1/posts/{post_id}/reactions/love", token).status_code == 422
    own = api("PUT", url, token_for(world.author, "write"))
    assert own.status_code == 403  # not on one's own post, as on the pages


def test_flags_and_the_moderators_list(api, world, token_for):
    from forum.models.accounts import Role
    moderator = factories.make_user(role=Role.MODERATOR)
    post_id = db.session.scalar(select(Post.id).where(Post.thread_id == world.thread.id,
                                                      Post.position == 2))
    flagged = api("POST", f"/api/v1/posts/{post_id}/flags", token_for(world.other, "write"),
                  json={"reason": "spam"})
    assert flagged.status_code == 201 and count(Flag) == 1
    location = flagged.headers["Location"]
    assert api("GET", location, token_for(world.other, "read")).json["reason"] == "spam"
    assert api("GET", location, token_for(world.author, "read")).status_code == 404
    assert api("GET", location, token_for(moderator, "read")).status_code == 200
    again = api("POST", f"/api/v1/posts/{post_id}/flags", token_for(world.other, "write"),
                json={"reason": "spam"})
    assert again.status_code == 409
    assert api("GET", "/api/v1/flags", token_for(moderator, "read")).status_code == 403
    listed = api("GET", "/api/v1/flags", token_for(moderator, "moderate")).json["items"]
    assert [f["target_id"] for f in listed] == [post_id]
    assert api("GET", "/api/v1/flags", token_for(world.other, "moderate")).status_code == 403
    decided = api("POST", "/api/v1/moderation/decisions", token_for(moderator, "moderate"),
                  json={"target_type": "post", "target_id": post_id, "decision": "hide",
                        "reason": "Spam"})
    assert decided.status_code == 200
    assert db.session.get(Post, post_id).hidden_at is not None


def test_starting_a_thread_and_a_topic(api, world, token_for):
    from forum.models.accounts import Role
    response = api("POST", f"/api/v1/topics/{world.topic.id}/threads",
                   token_for(world.other, "write"), json={"title": "New", "body": "Opening"})
    assert response.status_code == 201 and response.json["title"] == "New"
    assert count(Thread, Thread.title == "New") == 1
    moderator = factories.make_user(role=Role.MODERATOR)
    topic = api("POST", f"/api/v1/areas/{world.area.slug}/topics",
                token_for(moderator, "moderate"),
                json={"title": "A question", "framing": "Why", "tags": ["budget"]})
    assert topic.status_code == 201 and topic.json["tags"] == ["budget"]
    refused = api("POST", f"/api/v1/areas/{world.area.slug}/topics",
                  token_for(world.other, "moderate"), json={"title": "Mine"})
    assert refused.status_code == 403


def test_notifications_are_the_members_own(api, world, token_for):
    from forum.services import notifications
    world.other.language = "en"
    notifications.notify(world.other.id, "suspension_lifted", {"suspension_id": 1})
    db.session.commit()
    token = token_for(world.other, "read", "write")
    items = api("GET", "/api/v1/me/notifications", token).json["items"]
    assert [n["message"] for n in items] == ["Your suspension has been lifted."]
    assert items[0]["kind"] == "suspension_lifted" and items[0]["params"] == {"suspension_id": 1}
    assert api("GET", "/api/v1/me/notifications", token_for(world.author)).json["items"] == []
    assert api("POST", "/api/v1/me/notifications/read", token).json == {"unread": 0}
