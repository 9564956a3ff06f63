"""New notices reach the member's open pages at once over Socket.IO (`/notifications`),
worded in the member's language; only after the commit; only to the member themself; and
only to connections of this site's pages made by a signed-in member or a token."""
from __future__ import annotations

import pytest

from forum.extensions import db, socketio
from forum.services import notifications
from forum.services.discussion import posting
from forum.services.notifications import following
from tests import factories

NS = "/notifications"


@pytest.fixture
def bell(app):
    """bell(user, **kw) -> a Socket.IO test client on /notifications signed in as `user`."""
    made = []

    def connect(user=None, **kwargs):
        flask_client = app.test_client()
        if user is not None:
            assert flask_client.post("/login", data={
                "email": user.email, "password": factories.PASSWORD}).status_code == 302
        client = socketio.test_client(app, namespace=NS, flask_test_client=flask_client,
                                      **kwargs)
        made.append(client)
        return client

    yield connect
    for client in made:
        if client.is_connected(NS):
            client.disconnect(NS)


def _events(client, name: str) -> list[dict]:
    return [m["args"][0] for m in client.get_received(NS) if m["name"] == name]


def test_a_reply_is_pushed_to_the_followers_open_page(bell, topic, anna, karin):
    thread = factories.make_thread(topic, author=karin, title="Hamnen")
    following.follow(anna, "thread", thread.id)
    page = bell(anna)
    others = bell(factories.make_user())
    post = posting.reply(karin, thread.id, "Nytt förslag.")
    (notice,) = _events(page, "notice")
    assert notice["text"] == "Karin Lund posted in “Hamnen”, which you follow"  # her English
    assert notice["link"] == f"/p/{post.id}" and notice["unread"] == 1
    assert notice["open"] == f"/notifications/{notice['id']}/open"
    assert _events(others, "notice") == []


def test_the_push_is_worded_in_the_readers_language(bell, topic, anna, karin):
    thread = factories.make_thread(topic, author=anna, title="Torget")
    page = bell(karin)  # Swedish
    mine = posting.reply(karin, thread.id, "Mitt inlägg.")
    posting.reply(anna, thread.id, "Svar.", parent_id=mine.id)
    (notice,) = _events(page, "notice")
    assert notice["text"] == "Anna Berg svarade på ditt inlägg i ”Torget”"


def test_nothing_is_pushed_for_a_rolled_back_notice(bell, anna):
    page = bell(anna)
    notifications.notify(anna.id, "suspension_lifted")
    db.session.rollback()
    db.session.commit()
    assert _events(page, "notice") == []


def test_reading_elsewhere_updates_the_count_on_open_pages(bell, client, login, anna):
    notifications.notify(anna.id, "suspension_lifted")
    db.session.commit()
    page = bell(anna)
    login(anna)
    client.post("/notifications/read")
    assert _events(page, "unread") == [{"unread": 0}]


def test_guests_are_refused(bell):
    page = bell()
    assert not page.is_connected(NS)


def test_pages_of_other_sites_are_refused(bell, anna):
    page = bell(anna, headers={"Origin": "https://evil.example"})
    assert not page.is_connected(NS)


def test_a_token_connects_other_clients(app, bell, anna):
    from forum.services import accounts

    _, secret = accounts.create_token(anna, "display", ["read"])
    page = bell(auth={"token": secret})
    assert page.is_connected(NS)
    notifications.notify(anna.id, "suspension_lifted")
    db.session.commit()
    assert [n["kind"] for n in _events(page, "notice")] == ["suspension_lifted"]
    assert not bell(auth={"token": "rds_not_a_token"}).is_connected(NS)


def test_signing_out_closes_the_members_sockets(bell, anna):
    from forum.services.live import sockets

    page = bell(anna)
    assert sockets.close(anna.id) >= 1
    assert not page.is_connected(NS)
