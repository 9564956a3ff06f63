"""Bookkeeping of the JSON API: the idempotency keys that make creation safe to retry."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import TimestampMixin


class IdempotencyKey(TimestampMixin, db.Model):
    """One `Idempotency-Key` a member sent with a creating request. The row is inserted in
    the same transaction as the work, so the unique (member, key) pair lets only one of two
    concurrent requests do it; the answer is stored afterwards and replayed to retries."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status: Mapped[int | None]  # None until the answer is stored
    body: Mapped[str | None] = mapped_column(Text)  # the JSON answer, as sent
    location: Mapped[str | None] = mapped_column(String(300))
    completed_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)
