"""Scoped moderators act only inside their focus areas; admins grant roles and scopes."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.exceptions import Forbidden
from forum.extensions import db
from forum.models.accounts import ModeratorScope, Role, User
from forum.models.moderation import ModerationAction
from forum.services.moderation import moderators, review
from tests import factories


def test_scoped_moderator_cannot_hide_in_another_area(other_moderator, post):
    with pytest.raises(Forbidden):
        review.hide(other_moderator, "post", post.id, "Not mine to hide")
    db.session.refresh(post)
    assert post.hidden_at is None


def test_scoped_moderator_hides_in_own_area(moderator, post):
    review.hide(moderator, "post", post.id, "Abusive")
    assert post.hidden_at is not None


def test_global_moderator_acts_everywhere(global_moderator, post):
    review.hide(global_moderator, "post", post.id, "Abusive")
    assert post.hidden_at is not None


def test_scoped_moderator_gets_403_page(client, login, other_moderator, post):
    login(other_moderator)
    response = client.post(f"/moderation/post/{post.id}/hide", data={"reason": "x"})
    assert response.status_code == 403
    db.session.refresh(post)
    assert post.hidden_at is None


def test_admin_grants_a_scoped_moderator_role(client, login, area):
    admin = login(factories.make_admin())
    member = factories.make_user()
    response = client.post(f"/admin/members/{member.id}",
                           data={"role": "moderator", "areas": [str(area.id)]})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.role == Role.MODERATOR
    assert db.session.scalar(select(ModeratorScope.focus_area_id).where(
        ModeratorScope.user_id == member.id)) == area.id
    kinds = set(db.session.scalars(select(ModerationAction.action).where(
        ModerationAction.moderator_id == admin.id)))
    assert kinds == {"grant_role", "set_scopes"}


def test_taking_the_role_removes_scopes(moderator):
    moderators.set_moderator(factories.make_admin(), moderator.id, "member", [])
    assert db.session.get(User, moderator.id).role == Role.MEMBER
    assert db.session.scalar(select(ModeratorScope).where(
        ModeratorScope.user_id == moderator.id)) is None


def test_moderators_cannot_grant_roles(client, login, moderator):
    login(moderator)
    member = factories.make_user()
    assert client.post(f"/admin/members/{member.id}", data={"role": "admin"}).status_code == 403
    assert db.session.get(User, member.id).role == Role.MEMBER


def test_cli_grants_a_scoped_moderator(runner, area):
    member = factories.make_user()
    result = runner.invoke(args=["forum", "set-moderator", member.email, "--area", area.slug])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, member.id).role == Role.MODERATOR
    assert db.session.scalar(select(ModeratorScope.focus_area_id).where(
        ModeratorScope.user_id == member.id)) == area.id


def test_cli_refuses_an_unknown_area(runner, db):
    member = factories.make_user()
    result = runner.invoke(args=["forum", "set-moderator", member.email, "--area", "nowhere"])
    assert result.exit_code != 0
    assert db.session.get(User, member.id).role == Role.MEMBER


def test_verifying_a_member_is_logged(client, login, moderator):
    login(moderator)
    member = factories.make_user()
    client.post(f"/members/{member.id}/verification", data={"verified": "1"})
    entry = db.session.scalar(select(ModerationAction))
    assert entry.action == "verify_member" and entry.subject_user_id == member.id


def test_admin_cannot_take_away_their_own_admin_role(client, login):
    admin = login(factories.make_admin())
    response = client.post(f"/admin/members/{admin.id}", data={"role": "member"})
    assert response.status_code == 400
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_admin_page_lists_moderators_with_their_areas(client, login, moderator, area):
    login(factories.make_admin())
    body = client.get("/admin/").get_data(as_text=True)
    assert moderator.display_name in body and area.name_en in body
