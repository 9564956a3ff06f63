"""Session records: renewed at sign-in and at a password change, listed, ended one by one or
all others at once; an ended session is over for its cookie and its "remember me" cookie."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from forum.models.accounts import AccessToken
from forum.models.base import utcnow
from forum.models.security import LoginSession
from forum.services import accounts
from tests import factories
from tests.conftest import RequestScopedClient

UA_FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
UA_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture(autouse=True)
def _own_contexts(app):
    """Each request in its own app context (several browsers of one member at once)."""
    app.test_client_class = RequestScopedClient


def _sign_in(app, user, *, remember=False, ua=UA_FIREFOX, address="192.0.2.57"):
    client = app.test_client()
    data = {"email": user.email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data, headers={"User-Agent": ua},
                           environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 302
    return client


def _records(db, user):
    db.session.expire_all()
    return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                   .order_by(LoginSession.id)))


def _signed_in(client, user) -> bool:
    return user.display_name in client.get("/").get_data(as_text=True)


def _session_key(client) -> str:
    with client.session_transaction() as session:
        return session.get("_user_id", "")


def test_sign_in_records_device_and_network_but_not_the_address(app, db):
    user = factories.make_user()
    _sign_in(app, user, ua=UA_IPHONE, address="198.51.100.23")
    [record] = _records(db, user)
    assert record.device == "Mobile Safari 17, iOS"
    assert record.ip_prefix == "198.51.100.0/24"
    assert "198.51.100.23" not in (record.device, record.ip_prefix)


def test_each_sign_in_gets_a_new_key_and_the_key_is_not_the_user_id(app, db):
    user = factories.make_user()
    one, two = _sign_in(app, user), _sign_in(app, user)
    assert _session_key(one) != _session_key(two)
    assert str(user.id) != _session_key(one)
    assert len(_records(db, user)) == 2
    stored = {r.key_hash for r in _records(db, user)}
    assert _session_key(one) not in stored  # only a hash is kept


def test_the_security_page_lists_sessions_and_marks_this_one(app, db):
    user = factories.make_user()
    _sign_in(app, user, ua=UA_IPHONE)
    mine = _sign_in(app, user)
    page = mine.get("/account/security").get_data(as_text=True)
    assert "Mobile Safari 17, iOS" in page and "Firefox 128, Linux" in page
    assert "192.0.2.0/24" in page
    assert page.count("(this session)") == 1


def test_ending_another_session_signs_that_browser_out_only(app, db):
    user = factories.make_user()
    phone, laptop = _sign_in(app, user, ua=UA_IPHONE), _sign_in(app, user)
    phone_record = _records(db, user)[0]
    response = laptop.post(f"/account/sessions/{phone_record.id}/end")
    assert response.status_code == 302
    assert not _signed_in(phone, user)
    assert _signed_in(laptop, user)
    assert [r.device for r in _records(db, user)] == ["Firefox 128, Linux"]


def test_a_member_cannot_end_someone_elses_session(app, db):
    owner, other = factories.make_user(), factories.make_user()
    owners = _sign_in(app, owner)
    record = _records(db, owner)[0]
    response = _sign_in(app, other).post(f"/account/sessions/{record.id}/end")
    assert response.status_code == 404
    assert _signed_in(owners, owner)


def test_ending_the_remembered_session_also_voids_the_remember_cookie(app, db):
    user = factories.make_user()
    remembered = _sign_in(app, user, remember=True)
    assert remembered.get_cookie("remember_token") is not None
    record = _records(db, user)[0]
    _sign_in(app, user).post(f"/account/sessions/{record.id}/end")
    # The browser restarts: its session cookie is gone, the remember cookie is still there.
    remembered.delete_cookie("radslag_session")
    assert not _signed_in(remembered, user)


def test_remember_cookie_alone_brings_back_a_live_session(app, db):
    user = factories.make_user()
    remembered = _sign_in(app, user, remember=True)
    remembered.delete_cookie("radslag_session")
    assert _signed_in(remembered, user)


def test_sign_out_everywhere_else_keeps_this_session_and_the_tokens(app, db):
    user = factories.make_user()
    token, _secret = accounts.create_token(user, "display")
    others = [_sign_in(app, user, ua=UA_IPHONE), _sign_in(app, user, remember=True)]
    mine = _sign_in(app, user)
    response = mine.post("/account/sessions/end-others", follow_redirects=True)
    assert "2 other sessions were signed out." in response.get_data(as_text=True)
    assert all(not _signed_in(c, user) for c in others)
    assert _signed_in(mine, user)
    assert len(_records(db, user)) == 1
    assert db.session.get(AccessToken, token.id).revoked_at is None


def test_password_change_renews_this_session_and_ends_the_others(app, db):
    user = factories.make_user()
    token, _secret = accounts.create_token(user, "display")
    other = _sign_in(app, user, ua=UA_IPHONE)
    mine = _sign_in(app, user, remember=True)
    key_before = _session_key(mine)
    response = mine.post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": "ny lång fras om hamnen",
        "confirm": "ny lång fras om hamnen"})
    assert response.status_code == 302
    assert _session_key(mine) != key_before
    assert _signed_in(mine, user) and not _signed_in(other, user)
    [record] = _records(db, user)
    assert record.remember  # still "remember me", with a new remember cookie for the new key
    mine.delete_cookie("radslag_session")
    assert _signed_in(mine, user)
    assert db.session.get(AccessToken, token.id).revoked_at is None


def test_sign_out_deletes_the_record(app, db):
    user = factories.make_user()
    client = _sign_in(app, user)
    client.post("/logout")
    assert _records(db, user) == []


def test_expired_session_is_signed_out(app, db):
    user = factories.make_user()
    client = _sign_in(app, user)
    db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not _signed_in(client, user)


def test_last_seen_is_written_at_most_once_a_minute_and_moves_the_idle_expiry(app, db):
    user = factories.make_user()
    client = _sign_in(app, user)
    first = _records(db, user)[0]
    client.get("/")
    assert _records(db, user)[0].last_seen_at == first.last_seen_at  # within the minute
    old = utcnow() - timedelta(minutes=5)
    db.session.execute(update(LoginSession).values(last_seen_at=old, expires_at=old + timedelta(hours=1)))
    db.session.commit()
    client.get("/", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    record = _records(db, user)[0]
    assert record.last_seen_at > old + timedelta(minutes=4)
    assert record.expires_at > utcnow() + timedelta(hours=23)
    assert record.ip_prefix == "203.0.113.0/24"


def test_a_signed_in_page_costs_one_statement_for_member_suspension_and_session(app, db):
    from sqlalchemy import event

    user = factories.make_user()
    client = _sign_in(app, user)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get("/account/profile")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    # The header's bell asks for the unread count on its own; everything else is one statement.
    account = [sql for sql in statements if "FROM notifications" not in sql]
    assert len(account) == 1, statements
    assert "login_sessions" in account[0] and "suspensions" in account[0]
    assert len(statements) <= 2, statements


def test_a_cookie_of_the_old_kind_with_a_bare_user_id_signs_nobody_in(app, db):
    user = factories.make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(user.id), True
    assert not _signed_in(client, user)


def test_expired_records_are_cleared_at_the_next_sign_in(app, db):
    user = factories.make_user()
    _sign_in(app, user)
    db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    _sign_in(app, user)
    assert db.session.scalar(select(func.count(LoginSession.id))) == 1


def test_the_demo_shows_anna_signed_in_on_other_devices(app, db):
    from forum.services.demo import people
    from forum.services.demo import security as demo_security

    cast = people.ensure_people()
    assert "anna" in demo_security.add(cast)
    anna = cast["anna"]
    client = app.test_client()
    client.post("/login", data={"email": anna.email, "password": people.DEMO_PASSWORD})
    page = client.get("/account/security").get_data(as_text=True)
    assert "Mobile Safari 17, iOS" in page and "Edge 128, Windows" in page
    assert "Sign out everywhere else" in page
