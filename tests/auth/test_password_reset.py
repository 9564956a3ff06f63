"""Forgotten passwords: the same answer for every address, a signed link that works once and
for an hour, limits per address and per email, and every session signed out by using it."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from forum.models.accounts import AccessToken, User
from forum.models.security import LoginSession
from forum.services import accounts
from forum.services.security import password_reset
from tests import factories
from tests.auth.mailbox import link_in, outbox
from tests.conftest import RequestScopedClient

NEW = "ny lång fras om hamnen"


@pytest.fixture(autouse=True)
def _own_contexts(app):
    app.test_client_class = RequestScopedClient


def _ask(client, email, address="192.0.2.7"):
    return client.post("/password/forgot", data={"email": email},
                       environ_base={"REMOTE_ADDR": address})


def _signed_in(client, user) -> bool:
    return user.display_name in client.get("/").get_data(as_text=True)


def _link(app, client, run_jobs, user) -> str:
    assert _ask(client, user.email).status_code == 200
    run_jobs()
    [message] = outbox(app)
    assert message["To"].addresses[0].addr_spec == user.email
    return link_in(message, "/password/reset/")


def test_known_and_unknown_addresses_get_the_same_answer_and_only_members_get_mail(
        app, client, db, run_jobs):
    user = factories.make_user()
    known, unknown = _ask(client, user.email), _ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "EMAIL")  # noqa: E731
    assert strip(known, user.email) == strip(unknown, "nobody@example.org")
    assert run_jobs() >= 2  # each request queued the same job
    [message] = outbox(app)
    assert message["To"].addresses[0].addr_spec == user.email
    assert "/password/reset/" in message.get_body(("plain",)).get_content()


def test_the_link_sets_a_new_password_signs_out_everywhere_and_signs_this_browser_in(
        app, db, run_jobs):
    user = factories.make_user()
    token, _secret = accounts.create_token(user, "display")
    signed_in = app.test_client()
    signed_in.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    client = app.test_client()
    path = _link(app, client, run_jobs, user)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert not _signed_in(signed_in, user) and _signed_in(client, user)
    assert db.session.scalar(select(func.count(LoginSession.id))) == 1
    assert db.session.get(AccessToken, token.id).revoked_at is None  # not asked to go
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": NEW}).status_code == 302


def test_a_used_link_is_refused_with_a_clear_page(app, client, db, run_jobs):
    user = factories.make_user()
    path = _link(app, client, run_jobs, user)
    client.post(path, data={"new_password": NEW, "confirm": NEW})
    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert 'href="/password/forgot"' in again.get_data(as_text=True)


def test_a_link_stops_working_when_the_password_changes_otherwise(app, client, db, login):
    user = factories.make_user()
    token = password_reset.token_for(user)
    login(user)
    client.post("/account/password", data={"current_password": factories.PASSWORD,
                                           "new_password": NEW, "confirm": NEW})
    assert "already been used" in client.get(f"/password/reset/{token}").get_data(as_text=True)


def test_an_expired_link_is_refused(app, client, db, monkeypatch):
    user = factories.make_user()
    made_at = time.time() - 3601
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: made_at)
    token = password_reset.token_for(user)
    monkeypatch.undo()
    response = client.post(f"/password/reset/{token}", data={"new_password": NEW,
                                                             "confirm": NEW})
    assert response.status_code == 400 and "has expired" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash == factories._hash()


@pytest.mark.parametrize("change", [lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1],
                                    lambda t: t.split(".")[0], lambda t: "x" * 600])
def test_a_tampered_link_is_refused_and_changes_nothing(app, client, db, change):
    user = factories.make_user()
    token = change(password_reset.token_for(user))
    response = client.post(f"/password/reset/{token}", data={"new_password": NEW,
                                                             "confirm": NEW})
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "not valid" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash == factories._hash()


def test_a_reset_link_for_another_purpose_does_not_work(app, client, db):
    from forum.services.security import confirmation

    user = factories.make_user(confirmed=False)
    response = client.get(f"/password/reset/{confirmation.token_for(user)}")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_a_weak_new_password_is_refused_and_the_link_still_works(app, client, db):
    user = factories.make_user()
    token = password_reset.token_for(user)
    weak = client.post(f"/password/reset/{token}", data={"new_password": "kort9",
                                                         "confirm": "kort9"})
    assert weak.status_code == 400 and "at least 10 characters" in weak.get_data(as_text=True)
    assert client.get(f"/password/reset/{token}").status_code == 200


def test_with_two_factor_the_link_leads_to_the_code_step(app, client, db):
    user = factories.make_user()
    factories.enable_two_factor(user)
    token = password_reset.token_for(user)
    response = client.post(f"/password/reset/{token}", data={"new_password": NEW,
                                                             "confirm": NEW})
    assert response.headers["Location"] == "/login/two-factor"
    assert not _signed_in(client, user)


def test_requests_are_limited_per_email_and_per_address(app, db):
    user = factories.make_user()
    for n in range(3):  # PASSWORD_RESET_EMAIL_LIMIT: 3 per hour
        assert _ask(app.test_client(), user.email, f"203.0.113.{n}").status_code == 200
    assert _ask(app.test_client(), user.email, "203.0.113.99").status_code == 429
    for n in range(10):  # PASSWORD_RESET_LIMIT: 10 per hour from one address
        _ask(app.test_client(), f"someone{n}@example.org", "198.51.100.1")
    assert _ask(app.test_client(), "other@example.org", "198.51.100.1").status_code == 429


def test_the_sign_in_page_links_to_it(client, db):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)
