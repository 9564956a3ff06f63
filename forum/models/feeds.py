"""The secret behind a member's private calendar address (the sessions they RSVPed)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import TimestampMixin


class FeedToken(TimestampMixin, db.Model):
    """One per member at most; only the SHA-256 of the secret is stored. Renewing replaces
    the row's hash, revoking deletes the row (the old address then answers 404)."""

    __tablename__ = "feed_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None]
