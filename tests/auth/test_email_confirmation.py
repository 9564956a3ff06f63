"""New members confirm their address by a signed link; until then they read but do not post
(pages and the live room), and a banner says why, with a rate-limited "send again"."""
from __future__ import annotations

import time

import pytest
from flask import g
from sqlalchemy import func, select

from forum.extensions import socketio
from forum.models.accounts import User
from forum.models.discussion import Post
from forum.services.security import confirmation
from tests import factories
from tests.auth.mailbox import link_in, outbox
from tests.conftest import RequestScopedClient
from tests.live.conftest import ack, make_live_session

GOOD = {"email": "ny.ledamot@example.org", "display_name": "Ny Ledamot", "sector": "business",
        "organisation": "Öresund Logistik AB", "title": "VD",
        "password": "en lång fras om hamnen", "confirm": "en lång fras om hamnen"}
BANNER = "Please confirm your email address"


@pytest.fixture(autouse=True)
def _own_contexts(app):
    app.test_client_class = RequestScopedClient


def _confirmed(db, user_id) -> bool:
    db.session.expire_all()
    return db.session.get(User, user_id).is_confirmed


def test_registration_sends_the_link_and_the_link_confirms(app, client, db, run_jobs):
    assert client.post("/register", data=GOOD).status_code == 302
    user = db.session.scalar(select(User))
    assert not user.is_confirmed
    page = client.get("/").get_data(as_text=True)
    assert BANNER in page and user.email in page
    run_jobs()
    [message] = outbox(app)
    path = link_in(message, "/account/confirm/")
    assert client.get(path).status_code == 200 and not _confirmed(db, user.id)  # a button
    assert client.post(path).status_code == 302
    assert _confirmed(db, user.id)
    assert BANNER not in client.get("/").get_data(as_text=True)


def test_a_used_confirmation_link_says_so(app, client, db):
    user = factories.make_user(confirmed=False)
    token = confirmation.token_for(user)
    client.post(f"/account/confirm/{token}")
    again = client.get(f"/account/confirm/{token}")
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_a_tampered_confirmation_link_is_refused(app, client, db):
    user = factories.make_user(confirmed=False)
    token = confirmation.token_for(user)
    bad = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(f"/account/confirm/{bad}")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    assert not _confirmed(db, user.id)


def test_an_expired_confirmation_link_is_refused_and_offers_a_new_one(app, client, db, login,
                                                                      monkeypatch):
    user = login(factories.make_user(confirmed=False))
    made_at = time.time() - 8 * 86400
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: made_at)
    token = confirmation.token_for(user)
    monkeypatch.undo()
    response = client.post(f"/account/confirm/{token}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "has expired" in body
    assert 'action="/account/confirm/send"' in body
    assert not _confirmed(db, user.id)


def test_a_link_for_an_address_since_changed_does_not_confirm(app, client, db):
    user = factories.make_user(confirmed=False)
    token = confirmation.token_for(user)
    user.email = "changed@example.org"
    db.session.commit()
    assert client.post(f"/account/confirm/{token}").status_code == 400
    assert not _confirmed(db, user.id)


def test_send_again_queues_a_new_link_and_is_rate_limited(app, client, db, login, run_jobs):
    login(factories.make_user(confirmed=False))
    for _n in range(3):  # CONFIRM_RESEND_LIMIT: 3 per hour
        assert client.post("/account/confirm/send", data={"next": "/about"}).headers[
            "Location"] == "/about"
    assert client.post("/account/confirm/send").status_code == 429
    run_jobs()
    assert len(outbox(app)) == 3


def test_unconfirmed_members_read_but_cannot_post_on_the_pages(app, client, db, login):
    login(factories.make_user(confirmed=False))
    thread = factories.make_thread()
    assert client.get(f"/threads/{thread.id}").status_code == 200
    before = db.session.scalar(select(func.count(Post.id)))
    response = client.post(f"/threads/{thread.id}/reply",
                           data={"body": "Too early", "capacity": "personal"})
    assert response.status_code == 403
    assert "confirm your email address first" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Post.id))) == before
    new = client.post(f"/topics/{thread.topic_id}/threads/new",
                      data={"title": "T", "body": "B", "capacity": "personal"})
    assert new.status_code == 403


def test_unconfirmed_members_may_watch_the_live_room_but_not_speak(app, db):
    session, user = make_live_session(), factories.make_user(confirmed=False)
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    g.pop("_login_user", None)
    g.pop("login_session", None)
    socket = socketio.test_client(app, namespace="/live", flask_test_client=browser)
    try:
        assert ack(socket, "join", {"session_id": session.id})["ok"]
        chat = ack(socket, "chat", {"session_id": session.id, "body": "hello"})
        assert chat["ok"] is False and chat["error"]["code"] == "email_unconfirmed"
        ask = ack(socket, "ask", {"session_id": session.id, "body": "A question?"})
        assert ask["ok"] is False and ask["error"]["code"] == "email_unconfirmed"
    finally:
        socket.disconnect("/live")


def test_the_api_follows_the_same_rule(app, client, db):
    from forum.services import accounts

    user = factories.make_user(confirmed=False)
    _token, secret = accounts.create_token(user, "client", scopes=["read", "write"])
    thread = factories.make_thread()
    response = client.post(f"/api/v1/threads/{thread.id}/posts",
                           json={"body": "Too early", "capacity": "personal"},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert "confirm your email address first" in response.get_data(as_text=True)
    user.email_confirmed_at = user.created_at
    db.session.commit()
    again = client.post(f"/api/v1/threads/{thread.id}/posts",
                        json={"body": "Now then", "capacity": "personal"},
                        headers={"Authorization": f"Bearer {secret}"})
    assert again.status_code == 201, again.get_data(as_text=True)


def test_factory_and_existing_members_count_as_confirmed(db):
    assert factories.make_user().is_confirmed
