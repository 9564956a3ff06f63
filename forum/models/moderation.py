"""Moderation: the append-only public log and in-app notifications.
(The moderation feature adds flags, appeals and the review queue here.)"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import TimestampMixin


class ModerationAction(TimestampMixin, db.Model):
    """One moderator decision. Append-only: no service updates or deletes these rows."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: automatic
    action: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "hide_post", "live_hide_question"
    target_type: Mapped[str] = mapped_column(String(30))  # "post", "thread", "user", "question", ...
    target_id: Mapped[int]
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_areas.id"), index=True)
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # public facts only, never removed data

    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id], lazy="joined")

    __table_args__ = (Index("ix_moderation_actions_target", "target_type", "target_id"),)


class Notification(TimestampMixin, db.Model):
    """An in-app message to one member (delivery by email is a later feature)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    read_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)
