"""`emit` without listeners costs no query; a change to endpoints, made in this process or in
another one, is seen by the next emit."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from forum.app import create_app
from forum.extensions import db as _db
from forum.models.webhooks import WebhookDelivery, WebhookEndpoint
from forum.services import webhooks
from forum.services.discussion import posting
from forum.services.webhooks import endpoints, listeners
from tests import factories


@contextmanager
def statements():
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _deliveries() -> int:
    return _db.session.scalar(select(func.count(WebhookDelivery.id)))


def test_a_reply_reads_no_endpoints_when_none_exist(db):
    author = factories.make_user(verified=True)
    thread = factories.make_thread(factories.make_topic(), author)
    posting.reply(author, thread.id, "Första svaret")  # the cache is loaded once
    with statements() as seen:
        posting.reply(author, thread.id, "Andra svaret")
    assert seen and not [s for s in seen if "webhook_endpoints" in s]
    assert _deliveries() == 0


def test_an_emit_without_listeners_queries_nothing(db):
    webhooks.emit("post.created", {"post": {}})
    with statements() as seen:
        for _ in range(3):
            webhooks.emit("post.created", lambda: 1 / 0)  # the payload is never built
    assert seen == []
    assert listeners.listeners().loads == 1


def test_a_new_endpoint_is_heard_at_once(db, admin):
    webhooks.emit("post.created", {"post": {}})
    endpoints.create(admin, endpoints.EndpointData(url="http://127.0.0.1:9/h",
                                                   kinds=["post.created"]))
    webhooks.emit("post.created", {"post": {}})
    db.session.commit()
    assert _deliveries() == 1


def test_switching_an_endpoint_off_stops_its_deliveries(db, admin):
    made = endpoints.create(admin, endpoints.EndpointData(url="http://127.0.0.1:9/h",
                                                          kinds=["post.created"]))
    webhooks.emit("post.created", {"post": {}})
    endpoints.update(admin, made.id, endpoints.EndpointData(
        url=made.url, kinds=["post.created"], active=False))
    webhooks.emit("post.created", {"post": {}})
    db.session.commit()
    assert _deliveries() == 1


def test_a_failing_mark_does_not_reload(db, admin):
    made = endpoints.create(admin, endpoints.EndpointData(url="http://127.0.0.1:9/h",
                                                          kinds=["post.created"]))
    webhooks.emit("post.created", {"post": {}})
    before = listeners.read_stamp()
    made.failure_reason = "timeout"
    db.session.commit()
    assert listeners.read_stamp() == before


def test_a_rolled_back_change_keeps_the_stamp(db, admin):
    before = listeners.read_stamp()
    db.session.add(WebhookEndpoint(url="http://127.0.0.1:9/h", secret="s" * 20,
                                   kinds=["post.created"]))
    db.session.flush()
    db.session.rollback()
    assert listeners.read_stamp() == before


def test_an_endpoint_made_by_another_process_is_heard(db, admin, app_config):
    """Another app (as another process would have) registers an endpoint: this app's cached
    "nobody listens" is dropped by the shared stamp."""
    webhooks.emit("post.created", {"post": {}})  # this app caches: nobody listens
    other = create_app(app_config)
    with other.app_context():
        admin_there = _db.session.get(type(admin), admin.id)
        endpoints.create(admin_there, endpoints.EndpointData(url="http://127.0.0.1:9/h",
                                                             kinds=["post.created"]))
        _db.session.remove()
    webhooks.emit("post.created", {"post": {}})
    db.session.commit()
    assert _deliveries() == 1


def test_an_unreadable_stamp_falls_back_to_a_query(db, admin, monkeypatch):
    endpoints.create(admin, endpoints.EndpointData(url="http://127.0.0.1:9/h",
                                                   kinds=["post.created"]))
    monkeypatch.setattr(listeners, "read_stamp", lambda: None)
    webhooks.emit("post.created", {"post": {}})
    db.session.commit()
    assert _deliveries() == 1
