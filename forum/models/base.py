"""Shared column helpers for the models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column stored as its string value (no native type to migrate)."""
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda members: [m.value for m in members],
                validate_strings=True)
