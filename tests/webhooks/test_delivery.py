"""Deliveries: signed, after the commit, retried with backoff, given up after the retry
window (the endpoint then shows why), sent again by hand, and never in a request's way."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEvent
from forum.services.discussion import posting
from forum.services.webhooks import delivery, endpoints, signing
from tests import factories


@pytest.fixture
def thread(db):
    author = factories.make_user(verified=True)
    return factories.make_thread(factories.make_topic(), author), author


def _deliveries():
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_reply_reaches_the_receiver_signed_after_the_commit(thread, receiver, register,
                                                               run_jobs):
    rec = receiver()
    endpoint = register(rec, "post.created")
    topic_thread, author = thread
    post = posting.reply(author, topic_thread.id, "Budgeten bör läggas om.")
    assert rec.received == []  # nothing is sent inside the request's work
    assert run_jobs() == 1
    [got] = rec.received
    assert got["signed"] and got["path"] == "/hooks/radslag"
    assert got["headers"]["X-Radslag-Event"] == "post.created"
    assert got["json"]["kind"] == "post.created"
    assert got["json"]["data"]["post"]["id"] == post.id
    assert got["json"]["data"]["post"]["body"] == "Budgeten bör läggas om."
    assert "email" not in got["body"].decode()
    assert signing.verify(endpoint.secret, got["headers"]["X-Radslag-Signature"], got["body"])
    [row] = _deliveries()
    assert row.status == DeliveryStatus.DELIVERED and row.attempts == 1
    assert row.response_code == 204 and row.duration_ms is not None


def test_only_endpoints_that_chose_the_kind_hear_of_it(thread, receiver, register, run_jobs):
    posts, threads = receiver(), receiver()
    register(posts, "post.created")
    register(threads, "thread.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Ett svar")
    posting.start_thread(author, topic_thread.topic_id, "En ny tråd", "Inledning")
    run_jobs()
    assert [r["json"]["kind"] for r in posts.received] == ["post.created", "post.created"]
    assert [r["json"]["kind"] for r in threads.received] == ["thread.created"]
    assert threads.received[0]["json"]["data"]["thread"]["title"] == "En ny tråd"


def test_no_event_is_recorded_without_a_listening_endpoint(thread):
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Ingen lyssnar")
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_a_rolled_back_change_sends_nothing(thread, receiver, register, run_jobs):
    from forum.services import webhooks

    rec = receiver()
    register(rec, "post.created")
    topic_thread, _author = thread
    webhooks.emit("post.created", {"post": {"id": 0}})
    db.session.rollback()
    assert run_jobs() == 0
    assert rec.received == [] and _deliveries() == []


def test_a_failing_receiver_is_retried_with_growing_waits(thread, receiver, register,
                                                         run_jobs):
    rec = receiver()
    rec.answers = [500, 503]  # then 204
    register(rec, "post.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Andra försöket")
    run_jobs()
    assert [r["signed"] for r in rec.received] == [True, True, True]
    [row] = _deliveries()
    assert row.status == DeliveryStatus.DELIVERED and row.attempts == 3
    attempts = list(db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))
    assert [a.response_code for a in attempts] == [500, 503, 204]
    assert attempts[0].error == "HTTP 500 Internal Server Error"
    assert delivery.retry_delay(1) < delivery.retry_delay(2) < delivery.retry_delay(3)
    assert delivery.retry_delay(40) == 6 * 3600


def test_after_the_retry_window_the_delivery_fails_and_the_endpoint_says_why(
        app, admin, thread, receiver, register, run_jobs):
    app.config["WEBHOOK_RETRY_SECONDS"] = 100  # waits of 30 and 60 s fit, 120 s does not
    rec = receiver()
    rec.answers = [500] * 10
    endpoint = register(rec, "post.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Aldrig fram")
    run_jobs()
    [row] = _deliveries()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 3
    assert len(rec.received) == 3
    db.session.refresh(endpoint)
    assert endpoint.failing_since is not None
    assert "HTTP 500" in endpoint.failure_reason
    # A later success clears the mark.
    rec.answers = []
    endpoints.redeliver(admin, row.id)
    run_jobs()
    db.session.refresh(endpoint)
    assert endpoint.failing_since is None and endpoint.failure_reason is None
    assert [d.status for d in _deliveries()] == [DeliveryStatus.FAILED,
                                                  DeliveryStatus.DELIVERED]


def test_a_job_queued_twice_sends_once(thread, receiver, register, run_jobs):
    rec = receiver()
    register(rec, "post.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "En gång")
    [row] = _deliveries()
    delivery.deliver.enqueue(row.id, 1)  # e.g. the sweep and the first job both run
    run_jobs()
    assert len(rec.received) == 1
    assert _deliveries()[0].attempts == 1


def test_the_sweep_queues_a_delivery_whose_job_was_lost(thread, receiver, register, run_jobs):
    from datetime import timedelta

    from forum.jobs import huey
    from forum.models.base import utcnow

    rec = receiver()
    register(rec, "post.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Förlorat jobb")
    huey.flush()  # the queue lost the job
    row = _deliveries()[0]
    assert delivery.sweep_lost_deliveries() == 0  # not late yet
    row.next_attempt_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert delivery.sweep_lost_deliveries() == 1
    run_jobs()
    assert len(rec.received) == 1 and _deliveries()[0].status == DeliveryStatus.DELIVERED


@pytest.fixture
def short_reads(app_config):
    app_config["WEBHOOK_READ_TIMEOUT"] = 0.5


def test_a_hanging_receiver_holds_up_neither_the_request_nor_other_endpoints(
        short_reads, client, thread, receiver, register, run_jobs):
    from forum.services import accounts

    slow, quick = receiver(), receiver()
    slow.hang_seconds = 3
    register(slow, "post.created")
    register(quick, "post.created")
    topic_thread, author = thread
    _token, secret = accounts.create_token(author, "t", ("read", "write"))
    response = client.post(f"/api/v1/threads/{topic_thread.id}/posts",
                           json={"body": "Hänger mottagaren?"},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201
    assert slow.received == [] and quick.received == []  # the request sent nothing itself
    run_jobs(limit=2)  # each endpoint's delivery is a job of its own
    assert len(quick.received) == 1
    by_endpoint = {d.endpoint.url: d for d in _deliveries()}
    assert by_endpoint[quick.url].status == DeliveryStatus.DELIVERED
    hung = by_endpoint[slow.url]
    assert hung.status == DeliveryStatus.PENDING and hung.error == "timed out"
    assert hung.next_attempt_at is not None  # retried later


def test_an_admin_can_send_a_delivery_again(admin, thread, receiver, register, run_jobs):
    rec = receiver()
    register(rec, "post.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Igen")
    run_jobs()
    first = _deliveries()[0]
    again = endpoints.redeliver(admin, first.id)
    run_jobs()
    assert len(rec.received) == 2
    assert rec.received[0]["body"] == rec.received[1]["body"]  # the same event
    assert again.resent_by_id == admin.id
    assert [d.status for d in _deliveries()] == [DeliveryStatus.DELIVERED] * 2


def test_the_purge_forgets_old_history(admin, thread, receiver, register, run_jobs):
    from datetime import timedelta

    from forum.models.base import utcnow

    rec = receiver()
    register(rec, "post.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Gammalt")
    run_jobs()
    row = _deliveries()[0]
    row.created_at = row.event.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert delivery.purge_old_deliveries() == 1
    assert _deliveries() == []
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 0


def test_a_switched_off_endpoint_gets_nothing_queued_before(admin, thread, receiver, register,
                                                            run_jobs):
    rec = receiver()
    endpoint = register(rec, "post.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Före avstängningen")
    endpoints.update(admin, endpoint.id, endpoints.EndpointData(
        url=endpoint.url, kinds=endpoint.kinds, active=False))
    posting.reply(author, topic_thread.id, "Efter avstängningen")  # not even recorded
    run_jobs()
    assert rec.received == []
    [row] = _deliveries()
    assert row.status == DeliveryStatus.FAILED and row.error == "The endpoint is switched off."
    db.session.refresh(endpoint)
    assert endpoint.failing_since is None


def test_a_removed_endpoints_queued_jobs_do_nothing(admin, thread, receiver, register,
                                                    run_jobs):
    rec = receiver()
    endpoint = register(rec, "post.created")
    topic_thread, author = thread
    posting.reply(author, topic_thread.id, "Borttagen")
    endpoints.remove(admin, endpoint.id)
    assert run_jobs() == 1
    assert rec.received == [] and _deliveries() == []
