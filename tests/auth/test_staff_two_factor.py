"""The admins' setting that requires two-factor sign-in of moderators and admins."""
from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from forum.models.base import utcnow
from forum.models.moderation import ModerationAction
from forum.models.security import SiteSetting
from forum.permissions.core import STAFF_TWO_FACTOR
from tests import factories
from tests.conftest import RequestScopedClient

SETUP_LINK = 'href="/account/two-factor"'


@pytest.fixture(autouse=True)
def _own_contexts(app):
    app.test_client_class = RequestScopedClient


def _require(db, value=True):
    db.session.merge(SiteSetting(key=STAFF_TWO_FACTOR, value=value))
    db.session.commit()


def _with_code(client, user, secret):
    client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302


def test_an_admin_without_2fa_cannot_turn_the_requirement_on(client, db, login):
    login(factories.make_admin())
    response = client.post("/admin/security", data={"required": "y"})
    assert response.status_code == 400
    assert "Turn on two-factor sign-in for yourself first." in response.get_data(as_text=True)
    assert db.session.get(SiteSetting, STAFF_TWO_FACTOR) is None


def test_turning_it_on_is_stored_and_logged_publicly(app, client, db):
    admin = factories.make_admin()
    _with_code(client, admin, factories.enable_two_factor(admin))
    assert client.post("/admin/security", data={"required": "y"}).status_code == 302
    assert db.session.get(SiteSetting, STAFF_TWO_FACTOR).value is True
    entry = db.session.scalar(select(ModerationAction).where(
        ModerationAction.action == "require_staff_two_factor"))
    assert entry.moderator_id == admin.id
    log = app.test_client().get("/moderation/log").get_data(as_text=True)
    assert "Required two-factor sign-in of moderators and admins" in log
    client.post("/admin/security", data={})
    assert db.session.get(SiteSetting, STAFF_TWO_FACTOR).value is False
    assert db.session.scalar(select(ModerationAction.id).where(
        ModerationAction.action == "allow_staff_without_two_factor")) is not None


def test_a_moderator_without_2fa_is_sent_to_set_it_up_and_refused_with_a_link(client, db):
    _require(db)
    mod = factories.make_moderator()
    response = client.post("/login", data={"email": mod.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/account/two-factor"
    queue = client.get("/moderation/queue")
    assert queue.status_code == 403
    body = queue.get_data(as_text=True)
    assert "must set up two-factor sign-in" in body and SETUP_LINK in body
    assert SETUP_LINK in client.get("/").get_data(as_text=True)  # the banner on every page
    thread = factories.make_thread()
    hide = client.post(f"/moderation/post/{thread.id}/hide", data={"reason": "x"})
    assert hide.status_code in (403, 404)


def test_they_act_as_members_meanwhile(client, db, login):
    _require(db)
    login(factories.make_moderator())
    thread = factories.make_thread()
    response = client.post(f"/threads/{thread.id}/reply",
                           data={"body": "As a member", "capacity": "personal"})
    assert response.status_code == 302


def test_once_set_up_they_act_again(client, db):
    _require(db)
    mod = factories.make_moderator()
    _with_code(client, mod, factories.enable_two_factor(mod))
    assert client.get("/moderation/queue").status_code == 200
    assert SETUP_LINK not in client.get("/").get_data(as_text=True)


def test_without_the_requirement_nothing_changes_for_staff(client, db, login):
    login(factories.make_moderator())
    assert client.get("/moderation/queue").status_code == 200


def test_an_admin_without_2fa_is_refused_admin_pages_too(client, db, login):
    _require(db)
    login(factories.make_admin())
    response = client.get("/admin/")
    assert response.status_code == 403 and SETUP_LINK in response.get_data(as_text=True)
