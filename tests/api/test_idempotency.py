"""Idempotency-Key: a retried creation never creates twice, even when the retries race."""
from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from forum.extensions import db
from forum.models.api import IdempotencyKey
from forum.models.discussion import Post, Thread
from forum.models.live import Question


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_same_key_and_body_get_the_same_answer_and_one_post(api, world, token_for):
    token, url = token_for(world.other, "write"), f"/api/v1/threads/{world.thread.id}/posts"
    headers = {"Idempotency-Key": "retry-1"}
    first = api("POST", url, token, headers=headers, json={"body": "Once"})
    again = api("POST", url, token, headers=headers, json={"body": "Once"})
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(Post, Post.body_source == "Once") == 1


def test_the_same_key_with_another_body_is_422(api, world, token_for):
    token, url = token_for(world.other, "write"), f"/api/v1/threads/{world.thread.id}/posts"
    headers = {"Idempotency-Key": "retry-2"}
    api("POST", url, token, headers=headers, json={"body": "First"})
    other = api("POST", url, token, headers=headers, json={"body": "Second"})
    assert other.status_code == 422
    assert json.loads(other.data)["type"].endswith("/problems/idempotency-key-reused")
    assert count(Post, Post.body_source == "Second") == 0


def test_keys_belong_to_their_member(api, world, token_for):
    url = f"/api/v1/threads/{world.thread.id}/posts"
    headers = {"Idempotency-Key": "shared-name"}
    api("POST", url, token_for(world.other, "write"), headers=headers, json={"body": "Mine"})
    theirs = api("POST", url, token_for(world.author, "write"), headers=headers,
                 json={"body": "Mine"})
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert count(Post, Post.body_source == "Mine") == 2


def test_a_refused_request_is_not_remembered(api, world, token_for):
    """Nothing was created, so a corrected retry with the same key may succeed."""
    token, url = token_for(world.other, "write"), f"/api/v1/topics/{world.topic.id}/threads"
    headers = {"Idempotency-Key": "fix-and-retry"}
    world.topic.status = "closed"
    db.session.commit()
    assert api("POST", url, token, headers=headers,
               json={"title": "T", "body": "B"}).status_code == 403
    assert count(IdempotencyKey) == 0
    world.topic.status = "open"
    db.session.commit()
    assert api("POST", url, token, headers=headers,
               json={"title": "T", "body": "B"}).status_code == 201


def test_a_thread_too(api, world, token_for):
    token, url = token_for(world.other, "write"), f"/api/v1/topics/{world.topic.id}/threads"
    headers = {"Idempotency-Key": "thread-1"}
    for _ in range(2):
        assert api("POST", url, token, headers=headers,
                   json={"title": "Twice?", "body": "No"}).status_code == 201
    assert count(Thread, Thread.title == "Twice?") == 1


def _race(app, url: str, token: str, body: dict, key: str, n: int) -> list:
    """n requests with one key at the same moment, each from its own client and session."""
    start, answers = threading.Barrier(n), []

    def send() -> None:
        with app.app_context():
            client = app.test_client()
            start.wait()
            response = client.post(url, json=body, headers={
                "Authorization": f"Bearer {token}", "Idempotency-Key": key})
            answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=send) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def test_concurrent_retries_with_one_key_make_one_post(app, world, token_for):
    token, url = token_for(world.other, "write"), f"/api/v1/threads/{world.thread.id}/posts"
    for round_ in range(3):
        answers = _race(app, url, token, {"body": f"Raced {round_}"}, f"race-{round_}", 4)
        assert len(answers) == 4
        assert {status for status, _body in answers} == {201}, answers
        assert len({body for _status, body in answers}) == 1  # the one stored answer
        assert count(Post, Post.body_source == f"Raced {round_}") == 1


def test_a_question_is_created_once(app, api, world, token_for):
    from tests.api.test_live import live_session
    session = live_session(world)
    token = token_for(world.other, "write")
    url = f"/api/v1/live-sessions/{session.id}/questions"
    answers = _race(app, url, token, {"body": "Will the bus run?"}, "q-1", 3)
    assert {status for status, _body in answers} == {201}, answers
    assert count(Question, Question.body == "Will the bus run?") == 1


def test_keys_older_than_a_day_are_purged_and_may_be_used_again(api, world, token_for):
    from datetime import timedelta

    from forum.models.base import utcnow
    from forum.services import idempotency

    token, url = token_for(world.other, "write"), f"/api/v1/threads/{world.thread.id}/posts"
    headers = {"Idempotency-Key": "old-key"}
    api("POST", url, token, headers=headers, json={"body": "Yesterday"})
    api("POST", url, token, headers={"Idempotency-Key": "fresh-key"}, json={"body": "Today"})
    old = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "old-key"))
    old.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert idempotency.purge_expired_keys() == 1
    assert [k.key for k in db.session.scalars(select(IdempotencyKey))] == ["fresh-key"]
    again = api("POST", url, token, headers=headers, json={"body": "A new request"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert count(Post, Post.body_source == "A new request") == 1
