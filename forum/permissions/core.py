"""Actions, the rule registry, and the facts about a user that rules are built from."""
from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from werkzeug.local import LocalProxy

from forum.exceptions import Forbidden, NotFound
from forum.extensions import db
from forum.models.accounts import ModeratorScope, Role, Suspension, User
from forum.models.base import utcnow
from forum.models.security import SiteSetting

# The site setting that makes moderators and admins use two-factor sign-in before they act.
STAFF_TWO_FACTOR = "require_staff_two_factor"


class Action(enum.StrEnum):
    # accounts
    EDIT_PROFILE = "edit_profile"
    MANAGE_TOKENS = "manage_tokens"
    VERIFY_MEMBER = "verify_member"
    GRANT_ROLE = "grant_role"
    MANAGE_JOBS = "manage_jobs"  # read and retry failed background jobs
    MANAGE_WEBHOOKS = "manage_webhooks"  # register endpoints, read and resend deliveries
    # discussion
    START_THREAD = "start_thread"
    REPLY = "reply"
    EDIT_POST = "edit_post"
    DELETE_POST = "delete_post"
    REACT = "react"
    VIEW_POST = "view_post"
    VIEW_THREAD = "view_thread"
    VIEW_REVISIONS = "view_revisions"
    VIEW_HIDDEN_TEXT = "view_hidden_text"
    CURATE_TOPIC = "curate_topic"  # create, edit, pin, feature, close, archive (target: area)
    # moderation
    FLAG = "flag"
    VIEW_FLAG = "view_flag"  # one flag: its reporter, and the moderators of its item's area
    MODERATE = "moderate"  # act on content inside a focus area (target: area, topic, thread, post)
    VIEW_QUEUE = "view_queue"
    SUSPEND = "suspend"
    APPEAL = "appeal"
    DECIDE_APPEAL = "decide_appeal"
    # live sessions
    VIEW_LIVE = "view_live"
    JOIN_LIVE = "join_live"
    SPEAK_LIVE = "speak_live"
    MODERATE_LIVE = "moderate_live"
    MANAGE_LIVE = "manage_live"
    RSVP_LIVE = "rsvp_live"  # say one will come to a session (and take it back)
    # deliberation: proposals, outcomes, commitments
    OPEN_PROPOSAL = "open_proposal"  # target: a thread or a live session
    VIEW_PROPOSAL = "view_proposal"
    TAKE_POSITION = "take_position"
    CLOSE_PROPOSAL = "close_proposal"
    RECORD_OUTCOME = "record_outcome"  # record and edit
    RECORD_COMMITMENT = "record_commitment"  # target: a proposal (its outcome) or a session
    VIEW_COMMITMENT = "view_commitment"
    UPDATE_COMMITMENT = "update_commitment"
    # statement rounds
    OPEN_ROUND = "open_round"  # target: a thread or a live session
    VIEW_ROUND = "view_round"
    TAKE_PART_IN_ROUND = "take_part_in_round"  # submit statements and vote
    MODERATE_ROUND = "moderate_round"  # close early, approve, hide and restore statements


Rule = Callable[[Any, Any], bool]
_RULES: dict[Action, Rule] = {}


def rule(action: Action) -> Callable[[Rule], Rule]:
    """Register the function that decides `action`. Each action has exactly one rule."""

    def register(fn: Rule) -> Rule:
        if action in _RULES:
            raise RuntimeError(f"two rules for {action}")
        _RULES[action] = fn
        return fn

    return register


def can(user: Any, action: Action, target: Any = None) -> bool:
    """May `user` (a User or Flask-Login's anonymous user) do `action` to `target`?"""
    decide = _RULES.get(action)
    if decide is None:
        raise LookupError(f"no rule for {action}")
    return bool(decide(plain_user(user), target))


def plain_user(user: Any) -> Any:
    """The user behind Flask-Login's `current_user` proxy (resolved once, not in every fact).
    Services that ask many questions about one viewer call this first."""
    return user._get_current_object() if type(user) is LocalProxy else user


def require(user: Any, action: Action, target: Any = None, message: str | None = None) -> None:
    """Raise Forbidden unless `can(user, action, target)`; NotFound when the user may not
    even see the target (see `sight`)."""
    if not can(user, action, target):
        user = plain_user(user)
        conceal(user, target)
        # Said first, with a code pages and sockets can act on: the member can fix these.
        if is_member(user) and not user.is_confirmed and not is_suspended(user):
            raise Forbidden(unconfirmed_refusal(), code="email_unconfirmed")
        if needs_two_factor_setup(user):
            raise Forbidden(two_factor_refusal(), code="two_factor_required")
        raise Forbidden(message or refusal_message(user, action))


# --- What a user may not see does not exist for them --------------------------------------
# Refusing an action on something the user may not see would tell them it exists, so
# `require` answers as the lookup does for a missing one. Rule modules register, per kind of
# target, who sees one and the words of that lookup.

Sight = Callable[[Any, Any], bool]
_SIGHTS: dict[type, tuple[Sight, Callable[[], str]]] = {}


def sight(kind: type, not_found: Callable[[], str]) -> Callable[[Sight], Sight]:
    """Register who may see a target of `kind`; `not_found` gives the words for others."""

    def register(fn: Sight) -> Sight:
        if kind in _SIGHTS:
            raise RuntimeError(f"two sight rules for {kind.__name__}")
        _SIGHTS[kind] = (fn, not_found)
        return fn

    return register


def conceal(user: Any, target: Any) -> None:
    """Raise NotFound if `target` is of a kind with a sight rule and the user may not see it."""
    known = _SIGHTS.get(type(target))
    if known is not None and not known[0](plain_user(user), target):
        raise NotFound(known[1]())


def unconfirmed_refusal() -> str:
    return _("Please confirm your email address first: open the link we sent you. Until "
             "then you can read but not post.")


def two_factor_refusal() -> str:
    return _("Moderators and admins must set up two-factor sign-in before they can act. "
             "Set it up on your security page.")


def refusal_message(user: Any, action: Action) -> str:
    if not is_member(user):
        return _("Please sign in to do that.")
    suspension = active_suspension(user)
    if suspension is not None:
        return _("Your account is suspended: %(reason)s", reason=suspension.reason)
    if not user.is_confirmed:
        return unconfirmed_refusal()
    if needs_two_factor_setup(user):
        return two_factor_refusal()
    return _("You do not have permission to do that.")


# --- Facts about users that rules combine -------------------------------------------------


def is_member(user: Any) -> bool:
    return isinstance(user, User) and user.is_active


def is_admin(user: Any) -> bool:
    return is_member(user) and user.role == Role.ADMIN and not needs_two_factor_setup(user)


def is_moderator(user: Any) -> bool:
    """A moderator of some area (or all), or an admin. While the forum requires two-factor
    sign-in of its staff, one who has not set it up acts as a plain member."""
    return (is_member(user) and user.role in (Role.MODERATOR, Role.ADMIN)
            and not needs_two_factor_setup(user))


def staff_two_factor_required() -> bool:
    """The admins' setting: must moderators and admins use two-factor sign-in?"""
    return bool(_cached(("setting", STAFF_TWO_FACTOR), lambda: db.session.scalar(
        select(SiteSetting.value).where(SiteSetting.key == STAFF_TWO_FACTOR))))


def needs_two_factor_setup(user: Any) -> bool:
    """A moderator or admin who must set up two-factor sign-in before acting as one (only
    staff without it cost the settings lookup)."""
    return (is_member(user) and user.role in (Role.MODERATOR, Role.ADMIN)
            and not user.has_two_factor and staff_two_factor_required())


def moderated_areas(user: Any) -> set[int] | None:
    """The focus areas a moderator may act in; None means every area. Empty for members."""
    if not is_moderator(user):
        return set()
    if user.role == Role.ADMIN:
        return None
    areas = _cached(("scopes", user.id), lambda: set(db.session.scalars(
        select(ModeratorScope.focus_area_id).where(ModeratorScope.user_id == user.id))))
    return areas or None


def moderates_area(user: Any, focus_area_id: int | None) -> bool:
    areas = moderated_areas(user)
    if areas is None:
        return is_moderator(user)
    return focus_area_id in areas


def is_global_moderator(user: Any) -> bool:
    return is_moderator(user) and moderated_areas(user) is None


# A member's latest open suspension: open-ended ones first, then the one that ends last.
# Asked on nearly every page a member sees, so the statements are built once.
LATEST_FIRST = (Suspension.ends_at.is_(None).desc(), Suspension.ends_at.desc())
_LATEST_SUSPENSION = (
    select(Suspension).where(Suspension.user_id == bindparam("user"),
                             Suspension.lifted_at.is_(None))
    .order_by(*LATEST_FIRST).limit(1))


def suspension_fact(user_id: int, suspension: Suspension | None) -> None:
    """The user loader read the member's latest open suspension with the member: it
    answers `active_suspension` for the rest of the request."""
    remember_fact(("suspension", user_id), suspension)


def active_suspension(user: Any) -> Suspension | None:
    """The suspension in force for this member now, if any."""
    if not is_member(user):
        return None
    latest = _cached(("suspension", user.id), lambda: db.session.scalar(
        _LATEST_SUSPENSION, {"user": user.id}))
    return latest if latest is not None and latest.is_active_at(utcnow()) else None


def is_suspended(user: Any) -> bool:
    return active_suspension(user) is not None


def may_take_part(user: Any) -> bool:
    """Signed in, email address confirmed and not suspended: may post, react, flag, vote,
    speak. (The one rule that keeps new members to reading until they confirm.)"""
    return may_enter(user) and user.is_confirmed


def may_enter(user: Any) -> bool:
    """Signed in and not suspended: may be present (e.g. watch a live room) even before the
    email address is confirmed."""
    return is_member(user) and not _cached(("suspended", user.id), lambda: is_suspended(user))


def forget_cached_facts() -> None:
    """Services call this after changing roles, scopes or suspensions within a request."""
    if has_request_context():
        g.pop("_permission_facts", None)


def remember_fact(key, value) -> None:
    """Record a fact learnt elsewhere for the rest of the request, as `_cached` would."""
    if has_request_context():
        g.setdefault("_permission_facts", {})[key] = value


def _cached(key, compute):
    """Cache a fact for the length of one request (rules are asked many times per page)."""
    if not has_request_context():
        return compute()
    facts = g.setdefault("_permission_facts", {})
    if key not in facts:
        facts[key] = compute()
    return facts[key]
