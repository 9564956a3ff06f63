"""Suspensions: a suspended member reads but does not take part, and sees why."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.exceptions import Forbidden
from forum.extensions import db
from forum.models.accounts import Suspension
from forum.models.base import utcnow
from forum.models.discussion import Post
from forum.models.moderation import Flag, ModerationAction
from forum.permissions.core import is_suspended
from forum.services.moderation import sanctions
from tests import factories


@pytest.fixture
def suspended(global_moderator):
    member = factories.make_user()
    sanctions.suspend(global_moderator, member.id, "Repeated personal attacks")
    return member


def test_suspended_member_cannot_reply_and_sees_the_reason(client, login, suspended, thread):
    login(suspended)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Let me in"})
    assert response.status_code == 403
    assert "Repeated personal attacks" in response.get_data(as_text=True)
    assert db.session.scalar(select(Post.id).where(Post.author_id == suspended.id)) is None


def test_suspended_member_cannot_flag(client, login, suspended, post):
    login(suspended)
    response = client.post(f"/moderation/flag/post/{post.id}", data={"reason": "spam"})
    assert response.status_code == 403
    assert db.session.scalar(select(Flag.id)) is None


def test_suspended_member_can_still_read_and_sees_a_notice(client, login, suspended, thread):
    login(suspended)
    response = client.get(f"/threads/{thread.id}?page=1")
    assert response.status_code == 200
    assert "Repeated personal attacks" in response.get_data(as_text=True)


def test_suspension_until_a_date_ends_by_itself(global_moderator):
    member = factories.make_user()
    suspension = sanctions.suspend(global_moderator, member.id, "Cool down",
                                   utcnow() + timedelta(days=1))
    assert is_suspended(member)
    suspension.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not is_suspended(member)


def test_lifting_is_logged(client, login, global_moderator, suspended):
    suspension = db.session.scalar(select(Suspension))
    login(global_moderator)
    client.post(f"/moderation/suspensions/{suspension.id}/lift", data={"reason": "Apologised"})
    db.session.refresh(suspension)
    assert suspension.lifted_at is not None and suspension.lifted_by_id == global_moderator.id
    kinds = list(db.session.scalars(select(ModerationAction.action).order_by(
        ModerationAction.id)))
    assert kinds == ["suspend_member", "lift_suspension"]


def test_scoped_moderator_cannot_suspend_from_a_profile(moderator):
    with pytest.raises(Forbidden):
        sanctions.suspend(moderator, factories.make_user().id, "No")


def test_moderators_cannot_suspend_each_other(global_moderator):
    with pytest.raises(Forbidden):
        sanctions.suspend(global_moderator, factories.make_moderator().id, "No")


def test_suspend_page_stores_reason_and_date(client, login, global_moderator):
    member = factories.make_user()
    login(global_moderator)
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    response = client.post(f"/moderation/members/{member.id}/suspend",
                           data={"reason": "Spam links", "until": day})
    assert response.status_code == 302
    suspension = db.session.scalar(select(Suspension))
    assert suspension.reason == "Spam links" and suspension.ends_at.date().isoformat() == day
