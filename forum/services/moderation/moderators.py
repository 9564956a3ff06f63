"""Who moderates where: admins grant and take the moderator role and its focus-area scopes.
A moderator with no scopes is global. Every change is in the moderation log."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from forum.exceptions import InvalidInput
from forum.extensions import db
from forum.models.accounts import ModeratorScope, Role, User
from forum.models.discussion import FocusArea
from forum.permissions import Action, require
from forum.permissions.core import forget_cached_facts
from forum.services import accounts
from forum.services.moderation import modlog


def scopes_of(user: User) -> list[FocusArea]:
    return list(db.session.scalars(select(FocusArea).join(
        ModeratorScope, ModeratorScope.focus_area_id == FocusArea.id)
        .where(ModeratorScope.user_id == user.id).order_by(FocusArea.position)))


def staff() -> list[User]:
    """Moderators and admins, for the admin page."""
    return list(db.session.scalars(select(User).where(
        User.role.in_([Role.MODERATOR, Role.ADMIN]), User.erased_at.is_(None))
        .order_by(User.role, User.display_name)))


def set_moderator(actor: User | None, member_id: int, role: Role | str,
                  area_ids: list[int] | None = None) -> User:
    """Admins set a member's role and, for moderators, the focus areas they look after
    (none: every area). actor None is the command line, run by the operator. An admin
    cannot take away their own admin role (so the forum always keeps one)."""
    if actor is not None:
        require(actor, Action.GRANT_ROLE)
    member = accounts.get_user(member_id)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput({"role": _("Please choose a role.")}) from None
    if actor is not None and member.id == actor.id and role != Role.ADMIN:
        raise InvalidInput({"role": _("You cannot take away your own admin role.")})
    wanted = sorted(set(area_ids or [])) if role == Role.MODERATOR else []
    known = set(db.session.scalars(select(FocusArea.id).where(FocusArea.id.in_(wanted))))
    if set(wanted) - known:
        raise InvalidInput({"areas": _("There is no such focus area.")})
    before = (member.role, [a.id for a in scopes_of(member)])
    member.role = role
    db.session.execute(delete(ModeratorScope).where(ModeratorScope.user_id == member.id))
    db.session.add_all(ModeratorScope(user_id=member.id, focus_area_id=a) for a in wanted)
    if before[0] != role:
        modlog.record(actor, "grant_role", "user", member.id, subject_user_id=member.id,
                      details={"from": before[0].value, "to": role.value})
    if before[1] != wanted:
        modlog.record(actor, "set_scopes", "user", member.id, subject_user_id=member.id,
                      details={"areas": wanted})
    db.session.commit()
    forget_cached_facts()
    return member


def find_member(email: str) -> User:
    member = accounts.find_by_email(email or "")
    if member is None or not member.is_active:
        raise InvalidInput({"email": _("No member has that email address.")})
    return member
