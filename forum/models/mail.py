"""How each member wants the email of each kind: not at all, at once, or in a daily digest."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import str_enum


class EmailDelivery(enum.StrEnum):
    OFF = "off"
    IMMEDIATE = "immediate"
    DAILY = "daily"


class EmailPreference(db.Model):
    """A member's choice for one kind of email; no row means the kind's default."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[EmailDelivery] = mapped_column(str_enum(EmailDelivery, "email_delivery"))
