"""Sign-in security: the record of each signed-in session, two-factor recovery codes and the
devices a member asked not to be asked for a code on, and the forum's own settings."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import IP_ADDRESS, utcnow


class LoginSession(db.Model):
    """One signed-in browser. The cookie holds a random key; only its SHA-256 is stored, so
    the table alone cannot sign anyone in. Deleting the row ends the session, also for the
    "remember me" cookie, which carries the same key."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(120), default="")  # e.g. "Firefox 128, Linux"
    # "192.0.2.0/24", never the address; marked so the retention rule covers it too
    ip_prefix: Mapped[str] = mapped_column(String(50), default="",
                                           info={IP_ADDRESS: "last_seen_at"})
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]  # remembered: sign-in + 30 days; otherwise a day after last seen


class RecoveryCode(db.Model):
    """A single-use two-factor code for when the authenticator is lost (SHA-256 stored)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class TrustedDevice(db.Model):
    """"Don't ask for a code on this device": a signed cookie naming this row, valid until
    `expires_at` or until the member forgets the device (the row is deleted)."""

    __tablename__ = "trusted_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]


class SiteSetting(db.Model):
    """A setting admins change on a page (not in the environment), e.g. whether moderators
    must use two-factor sign-in. Every change is also in the public moderation log."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


__all__ = ["LoginSession", "RecoveryCode", "SiteSetting", "TrustedDevice"]
