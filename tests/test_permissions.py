"""Role checks go through forum.permissions; these pin the account-level rules."""
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from forum.exceptions import Forbidden
from forum.models.accounts import ModeratorScope, Suspension
from forum.models.base import utcnow
from forum.permissions import Action, can, require
from forum.permissions.core import may_take_part, moderates_area
from tests import factories


def test_only_moderators_and_admins_verify_members(db):
    member, moderator, admin = (factories.make_user(), factories.make_moderator(),
                                factories.make_admin())
    assert not can(member, Action.VERIFY_MEMBER)
    assert can(moderator, Action.VERIFY_MEMBER) and can(admin, Action.VERIFY_MEMBER)
    assert not can(AnonymousUserMixin(), Action.VERIFY_MEMBER)


def test_only_admins_grant_roles(db):
    assert can(factories.make_admin(), Action.GRANT_ROLE)
    assert not can(factories.make_moderator(), Action.GRANT_ROLE)
    with pytest.raises(Forbidden):
        require(factories.make_user(), Action.GRANT_ROLE)


def test_scoped_moderator_acts_only_in_their_area(db):
    governance, welfare = factories.focus_area("city-governance"), factories.focus_area(
        "innovative-welfare")
    scoped = factories.make_moderator()
    db.session.add(ModeratorScope(user_id=scoped.id, focus_area_id=governance.id))
    db.session.commit()
    glob = factories.make_moderator()
    assert moderates_area(scoped, governance.id) and not moderates_area(scoped, welfare.id)
    assert moderates_area(glob, welfare.id)
    assert not moderates_area(factories.make_user(), governance.id)


def test_suspended_member_cannot_take_part_until_it_ends(db):
    member, mod = factories.make_user(), factories.make_moderator()
    assert may_take_part(member)
    db.session.add(Suspension(user_id=member.id, reason="Personal attacks", created_by_id=mod.id,
                              ends_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    assert not may_take_part(member)
    other = factories.make_user()
    db.session.add(Suspension(user_id=other.id, reason="old", created_by_id=mod.id,
                              ends_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    assert may_take_part(other)


def test_members_edit_only_their_own_profile(db):
    a, b = factories.make_user(), factories.make_user()
    assert can(a, Action.EDIT_PROFILE, a) and not can(a, Action.EDIT_PROFILE, b)


def test_every_action_has_a_rule(db):
    member = factories.make_user()
    for action in Action:
        try:
            can(member, action, None)
        except LookupError:
            pytest.fail(f"no rule registered for {action}")
        except (AttributeError, TypeError):
            pass  # the rule needs a real target; it exists
