"""Accounts: registration, sign-in, profiles, roles, verification and access tokens."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from forum.exceptions import InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import AccessToken, Role, Scope, Sector, User
from forum.models.base import utcnow
from forum.permissions import Action, require
from forum.permissions.core import forget_cached_facts
from forum.services import passwords, retention
from forum.services.moderation import modlog
from forum.services.security import sessions

TOKEN_PREFIX = "rds_"


@dataclass
class Profile:
    display_name: str
    sector: Sector | str
    organisation: str = ""
    title: str = ""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register(email: str, password: str, profile: Profile, *, language: str | None = None,
             role: Role = Role.MEMBER, verified_by: User | None = None,
             ip: str | None = None, confirmed: bool = False) -> User:
    """Create a member. Refuses a taken email and a weak password; stores nothing then.
    `ip` (the address registering) is kept for admins, shortened after the retention time.
    The address counts as confirmed only with `confirmed` (the operator vouches for it);
    otherwise the member confirms it by the emailed link before posting."""
    email = normalise_email(email)
    _check_profile(profile)
    if find_by_email(email) is not None:
        raise InvalidInput({"email": _("An account with this email address already exists.")},
                           code="email_taken")
    problem = passwords.password_problem(password, related=(email, profile.display_name))
    if problem:
        raise InvalidInput({"password": problem}, code="weak_password")
    user = User(email=email, password_hash=passwords.hash_password(password), role=role,
                language=language, registration_ip=retention.clean(ip),
                **_profile_fields(profile))
    if verified_by is not None:
        user.verified_at, user.verified_by = utcnow(), verified_by
    if confirmed:
        user.email_confirmed_at = utcnow()
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The member with this email and password, or None. Same cost and answer for both misses.
    The sign-in itself (a session record, the second factor) is `security.sessions.sign_in`."""
    user = find_by_email(email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def update_profile(actor: User, profile: Profile) -> User:
    """Members edit their own name, sector, organisation and title. A new role loses the badge."""
    require(actor, Action.EDIT_PROFILE, actor)
    _check_profile(profile)
    fields = _profile_fields(profile)
    role_changed = any(getattr(actor, k) != fields[k] for k in ("sector", "organisation", "title"))
    for key, value in fields.items():
        setattr(actor, key, value)
    if role_changed and actor.verified_at is not None:
        actor.verified_at, actor.verified_by_id = None, None
    db.session.commit()
    return actor


def change_password(actor: User, current: str, new: str) -> sessions.Renewal:
    """Needs the current password; the new one must pass the same policy as at registration.
    Every other session of the member ends and this one gets a new key; access tokens and
    remembered devices stay (the member did not ask to lose them)."""
    if not passwords.verify_password(actor.password_hash, current):
        raise InvalidInput({"current_password": _("The current password is not correct.")})
    problem = passwords.password_problem(new, related=(actor.email, actor.display_name))
    if problem:
        raise InvalidInput({"new_password": problem}, code="weak_password")
    actor.password_hash = passwords.hash_password(new)
    renewal = sessions.renew(actor, end_others=True)
    db.session.commit()
    sessions.close_sockets(actor.id, renewal.ended)
    return renewal


def set_language(actor: User, language: str) -> None:
    actor.language = language
    db.session.commit()


def set_verified(actor: User, member_id: int, verified: bool) -> User:
    """A moderator confirms (or withdraws) that a member holds the role they state."""
    require(actor, Action.VERIFY_MEMBER)
    member = get_user(member_id)
    member.verified_at = utcnow() if verified else None
    member.verified_by_id = actor.id if verified else None
    modlog.record(actor, "verify_member" if verified else "unverify_member", "user", member.id,
                  subject_user_id=member.id)
    db.session.commit()
    return member


def mark_verified_by_operator(member: User) -> None:
    """The command line marks a member verified (the operator vouches for the role)."""
    member.verified_at = utcnow()
    db.session.commit()


def set_role(actor: User | None, member_id: int, role: Role) -> User:
    """Admins grant and take roles (actor None: the command line, run by the operator)."""
    if actor is not None:
        require(actor, Action.GRANT_ROLE)
    member = get_user(member_id)
    member.role = role
    db.session.commit()
    forget_cached_facts()
    return member


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(_("No such member."))
    return user


def create_token(actor: User, name: str,
                 scopes: Iterable[str] = (Scope.READ,)) -> tuple[AccessToken, str]:
    """A new personal access token with the scopes chosen (at least one). The secret is
    returned once; only its hash is kept."""
    require(actor, Action.MANAGE_TOKENS)
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput({"name": _("Give the token a name of at most 80 characters.")})
    chosen = _clean_scopes(scopes)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(user_id=actor.id, name=name, token_hash=_token_hash(secret),
                        prefix=secret[:10], scopes=" ".join(chosen))
    db.session.add(token)
    db.session.commit()
    return token, secret


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    values = {str(s) for s in scopes}
    if not values or not values <= {s.value for s in Scope}:
        raise InvalidInput({"scopes": _("Choose at least one scope: read, write or moderate.")},
                           code="bad_scope")
    return [s.value for s in Scope if s.value in values]


def revoke_token(actor: User, token_id: int) -> None:
    token = db.session.get(AccessToken, token_id)
    if token is None:
        raise NotFound(_("No such token."))
    require(actor, Action.MANAGE_TOKENS, token)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()


def list_tokens(actor: User) -> list[AccessToken]:
    return list(db.session.scalars(select(AccessToken).where(AccessToken.user_id == actor.id)
                                   .order_by(AccessToken.id.desc())))


LAST_USED_PRECISION = timedelta(minutes=1)  # a busy client writes its token's row once a minute

_TOKEN_BY_HASH = (select(AccessToken).join(AccessToken.user)
                  .options(contains_eager(AccessToken.user))
                  .where(AccessToken.token_hash == bindparam("hash"),
                         AccessToken.revoked_at.is_(None), User.erased_at.is_(None)))


def token_for_secret(secret: str) -> AccessToken | None:
    """The valid, unrevoked token with this secret (its member active), or None. Records when
    it was last used, to the minute."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(_TOKEN_BY_HASH, {"hash": _token_hash(secret)})
    if token is None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        db.session.execute(update(AccessToken).where(AccessToken.id == token.id)
                           .values(last_used_at=now).execution_options(synchronize_session=False))
        db.session.commit()
        set_committed_value(token, "last_used_at", now)
    return token


def user_for_token(secret: str) -> User | None:
    """The member a token belongs to, if it is valid and not revoked."""
    token = token_for_secret(secret)
    return token.user if token is not None else None


def member_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_profile(profile: Profile) -> None:
    errors = {}
    if not profile.display_name or not profile.display_name.strip():
        errors["display_name"] = _("Please give your name.")
    elif len(profile.display_name.strip()) > 80:
        errors["display_name"] = _("The name may be at most 80 characters long.")
    try:
        Sector(profile.sector)
    except ValueError:
        errors["sector"] = _("Please choose one of the sectors.")
    for field in ("organisation", "title"):
        if len((getattr(profile, field) or "").strip()) > 120:
            errors[field] = _("At most 120 characters.")
    if errors:
        raise InvalidInput(errors)


def _profile_fields(profile: Profile) -> dict:
    return {
        "display_name": " ".join(profile.display_name.split()),
        "sector": Sector(profile.sector),
        "organisation": (profile.organisation or "").strip(),
        "title": (profile.title or "").strip(),
    }
