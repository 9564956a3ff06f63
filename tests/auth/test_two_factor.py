"""Two-factor sign-in: setting it up, the code step at sign-in, recovery codes, remembered
devices, turning it off."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.security import LoginSession, RecoveryCode, TrustedDevice
from tests import factories
from tests.conftest import RequestScopedClient


@pytest.fixture(autouse=True)
def _own_contexts(app):
    app.test_client_class = RequestScopedClient


def _password(client, user):
    return client.post("/login", data={"email": user.email, "password": factories.PASSWORD})


def _signed_in(client, user) -> bool:
    return user.display_name in client.get("/").get_data(as_text=True)


def _next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted: one step of clock drift either way)."""
    return pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))


def _count(db, model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def _setup(client):
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'class="token-secret">([A-Z2-7]{32})<', page).group(1)
    return page, secret


def test_setup_page_draws_the_qr_code_itself(app, client, db, login):
    login(factories.make_user())
    page, secret = _setup(client)
    start = page.index('<svg', page.index("<main"))
    svg = page[start:page.index("</svg>", start)]
    assert 'role="img"' in svg and "<title>" in svg
    assert "<img" not in svg and "http" not in svg.split(">", 1)[1]
    assert client.get("/account/two-factor").get_data(as_text=True).count(secret) == 1  # kept


def test_a_wrong_code_turns_nothing_on(app, client, db, login):
    user = login(factories.make_user())
    _setup(client)
    response = client.post("/account/two-factor", data={"code": "000000"})
    assert response.status_code == 400
    assert "That code is not correct." in response.get_data(as_text=True)
    assert db.session.get(User, user.id).two_factor_at is None
    assert _count(db, RecoveryCode) == 0


def test_setup_turns_it_on_shows_ten_codes_once_stores_hashes_and_renews_the_session(
        app, client, db, login):
    user = login(factories.make_user())
    other = app.test_client()
    assert _password(other, user).status_code == 302
    with client.session_transaction() as session:
        key_before = session["_user_id"]
    _page, secret = _setup(client)
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.get_data(as_text=True))
    assert len(set(codes)) == 10
    stored = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)
    assert db.session.get(User, user.id).has_two_factor
    with client.session_transaction() as session:
        assert session["_user_id"] != key_before
    assert _signed_in(client, user) and _signed_in(other, user)  # others are not signed out
    assert not any(c in client.get("/account/security").get_data(as_text=True) for c in codes)


def test_sign_in_asks_for_the_code_after_the_password(app, client, db):
    user = factories.make_user()
    secret = factories.enable_two_factor(user)
    response = _password(client, user)
    assert response.headers["Location"] == "/login/two-factor"
    assert not _signed_in(client, user)
    assert client.get("/login/two-factor").status_code == 200
    wrong = client.post("/login/two-factor", data={"code": "123456"})
    assert wrong.status_code == 400 and "That code is not correct." in wrong.get_data(as_text=True)
    assert not _signed_in(client, user)
    right = client.post("/login/two-factor", data={"code": _next_code(secret)})
    assert right.status_code == 302 and _signed_in(client, user)
    assert _count(db, LoginSession, user_id=user.id) == 1


def test_a_code_is_accepted_only_once(app, client, db):
    user = factories.make_user()
    secret = factories.enable_two_factor(user)
    code = _next_code(secret)
    _password(client, user)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    client.post("/logout")
    _password(client, user)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 400


def test_a_recovery_code_signs_in_once(app, client, db, login):
    user = login(factories.make_user())
    _page, secret = _setup(client)
    page = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    code = re.findall(r"<code>([0-9a-f-]{11})</code>", page.get_data(as_text=True))[3]
    client.post("/logout")
    _password(client, user)
    assert client.post("/login/two-factor", data={"code": code.upper()}).status_code == 302
    assert _count(db, RecoveryCode, user_id=user.id) == 10
    assert "Recovery codes left: 9." in client.get("/account/security").get_data(as_text=True)
    client.post("/logout")
    _password(client, user)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 400


def test_the_code_step_needs_a_recent_password_step(app, client, db):
    user = factories.make_user()
    secret = factories.enable_two_factor(user)
    assert client.post("/login/two-factor", data={"code": _next_code(secret)}).headers[
        "Location"].startswith("/login")
    _password(client, user)
    with client.session_transaction() as session:
        session["pending_login"] = {**session["pending_login"], "t": 0}
    response = client.post("/login/two-factor", data={"code": _next_code(secret)})
    assert response.headers["Location"] == "/login" and not _signed_in(client, user)


def test_a_remembered_device_is_not_asked_again_until_it_is_forgotten(app, client, db):
    user = factories.make_user()
    secret = factories.enable_two_factor(user)
    _password(client, user)
    client.post("/login/two-factor", data={"code": _next_code(secret), "trust": "y"})
    assert client.get_cookie("radslag_2fa") is not None
    client.post("/logout")
    assert _password(client, user).headers["Location"] == "/"  # no code asked
    [device] = db.session.scalars(select(TrustedDevice))
    assert device.last_used_at is not None
    client.post(f"/account/devices/{device.id}/forget")
    client.post("/logout")
    assert _password(client, user).headers["Location"] == "/login/two-factor"


def test_a_remembered_device_cookie_of_another_member_does_not_count(app, client, db):
    owner, other = factories.make_user(), factories.make_user()
    secret = factories.enable_two_factor(owner)
    factories.enable_two_factor(other)
    _password(client, owner)
    client.post("/login/two-factor", data={"code": _next_code(secret), "trust": "y"})
    client.post("/logout")
    assert _password(client, other).headers["Location"] == "/login/two-factor"


def test_turning_it_off_needs_the_password_and_clears_codes_and_devices(app, client, db):
    user = factories.make_user()
    secret = factories.enable_two_factor(user)
    _password(client, user)
    client.post("/login/two-factor", data={"code": _next_code(secret), "trust": "y"})
    with client.session_transaction() as session:
        key_before = session["_user_id"]
    wrong = client.post("/account/two-factor/disable", data={"disable-password": "not it"})
    assert wrong.status_code == 400 and db.session.get(User, user.id).has_two_factor
    right = client.post("/account/two-factor/disable",
                        data={"disable-password": factories.PASSWORD})
    assert right.status_code == 302
    fresh = db.session.get(User, user.id)
    assert not fresh.has_two_factor and fresh.totp_secret is None
    assert _count(db, TrustedDevice) == 0 and _count(db, RecoveryCode) == 0
    with client.session_transaction() as session:
        assert session["_user_id"] != key_before
    assert _signed_in(client, user)


def test_new_recovery_codes_replace_the_old_ones(app, client, db, login):
    user = login(factories.make_user())
    _page, secret = _setup(client)
    old = re.findall(r"<code>([0-9a-f-]{11})</code>", client.post(
        "/account/two-factor", data={"code": pyotp.TOTP(secret).now()}).get_data(as_text=True))
    new = client.post("/account/two-factor/recovery-codes",
                      data={"codes-password": factories.PASSWORD})
    fresh = re.findall(r"<code>([0-9a-f-]{11})</code>", new.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(old)
    client.post("/logout")
    _password(client, user)
    assert client.post("/login/two-factor", data={"code": old[0]}).status_code == 400
    assert client.post("/login/two-factor", data={"code": fresh[0]}).status_code == 302
