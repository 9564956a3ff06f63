"""Rules about members' own accounts, about roles, and about running the site."""
from __future__ import annotations

from forum.permissions.core import Action, is_admin, is_member, is_moderator, rule


@rule(Action.EDIT_PROFILE)
def _edit_profile(user, target) -> bool:
    return is_member(user) and (target is None or target.id == user.id)


@rule(Action.MANAGE_TOKENS)
def _manage_tokens(user, target) -> bool:
    return is_member(user) and (target is None or target.user_id == user.id)


@rule(Action.VERIFY_MEMBER)
def _verify(user, target) -> bool:
    return is_moderator(user)


@rule(Action.GRANT_ROLE)
def _grant_role(user, target) -> bool:
    return is_admin(user)


@rule(Action.MANAGE_JOBS)
def _manage_jobs(user, target) -> bool:
    return is_admin(user)


@rule(Action.MANAGE_WEBHOOKS)
def _manage_webhooks(user, target) -> bool:
    return is_admin(user)
