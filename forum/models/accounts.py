"""Members: who they are, where they speak from (sector) and what they may do (role)."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import TimestampMixin, ip_address_column, str_enum, utcnow


class Sector(enum.StrEnum):
    POLITICS = "politics"
    CIVIL_SERVICE = "civil_service"
    BUSINESS = "business"
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    RESIDENT = "resident"

    @property
    def label(self) -> str:
        return str(SECTOR_LABELS[self])


SECTOR_LABELS = {
    Sector.POLITICS: _l("Politics"),
    Sector.CIVIL_SERVICE: _l("Civil service"),
    Sector.BUSINESS: _l("Business"),
    Sector.CIVIL_SOCIETY: _l("Civil society"),
    Sector.ACADEMIA: _l("Academia"),
    Sector.RESIDENT: _l("Resident"),
}


class Role(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {Role.MEMBER: _l("Member"), Role.MODERATOR: _l("Moderator"), Role.ADMIN: _l("Admin")}



class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(200))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    organisation: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.MEMBER)
    language: Mapped[str | None] = mapped_column(String(5))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_login_at: Mapped[datetime | None]
    email_confirmed_at: Mapped[datetime | None]  # None: a new member who may read, not post
    erased_at: Mapped[datetime | None]
    # Where the account was registered from, for admins spotting many accounts made from one
    # place; shortened to its network after FORUM_IP_RETENTION_DAYS (forum/services/retention).
    registration_ip: Mapped[str | None] = ip_address_column("created_at")
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # base32; set while 2FA is on
    two_factor_at: Mapped[datetime | None]  # when two-factor sign-in was turned on
    totp_last_step: Mapped[int | None]  # the newest 30-second step accepted: a code works once

    verified_by: Mapped[User | None] = relationship(remote_side=[id], lazy="select")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def has_two_factor(self) -> bool:
        return self.two_factor_at is not None

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_active(self) -> bool:  # Flask-Login: erased accounts cannot sign in
        return self.erased_at is None

    @property
    def role_line(self) -> str:
        """'Title, Organisation' as far as the member has given them."""
        return ", ".join(part for part in (self.title, self.organisation) if part)

    # Flask-Login keeps what this returns in the session and the "remember me" cookie: the
    # key of the member's session record (set at sign-in and by the user loader), so ending
    # the record ends both. The app sets `login_manager.id_attribute` to this method.
    login_key = None  # str | None; not a column

    def get_login_key(self) -> str | None:
        return self.login_key

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Scope(enum.StrEnum):
    """What a personal access token may be used for, chosen when it is made."""

    READ = "read"  # read as the member (GET)
    WRITE = "write"  # post, edit, react, flag, ask, as the member
    MODERATE = "moderate"  # moderator actions, where the member is a moderator

    @property
    def label(self) -> str:
        return str(SCOPE_LABELS[self])


SCOPE_LABELS = {
    Scope.READ: _l("Read: see what you may see, as you"),
    Scope.WRITE: _l("Write: post, edit, react, flag and ask questions as you"),
    Scope.MODERATE: _l("Moderate: act as a moderator (if you are one)"),
}
_SCOPE_VALUES = frozenset(s.value for s in Scope)


class AccessToken(TimestampMixin, db.Model):
    """A personal access token for non-browser clients; only its SHA-256 is stored.
    `scopes` holds the chosen scopes, space-separated ("read write")."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    scopes: Mapped[str] = mapped_column(String(60), default="read")
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes.split() if s in _SCOPE_VALUES)

    def allows(self, scope: Scope) -> bool:
        return scope in self.scope_set




class ModeratorScope(db.Model):
    """Limits a moderator to one focus area. A moderator with no scopes is global."""

    __tablename__ = "moderator_scopes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"), primary_key=True)


class Suspension(TimestampMixin, db.Model):
    """A member may read but not take part until `ends_at` (None: until lifted)."""

    __tablename__ = "suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    ends_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_active_at(self, moment: datetime) -> bool:
        return self.lifted_at is None and (self.ends_at is None or self.ends_at > moment)


__all__ = ["AccessToken", "ModeratorScope", "Role", "Scope", "Sector", "Suspension", "User",
           "utcnow"]
