"""Moderation: the append-only public log, flags and appeals."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import TimestampMixin, str_enum
from forum.models.notifications import Notification  # noqa: F401 - its old home


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


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    ABUSIVE = "abusive"
    PERSONAL_DATA = "personal_data"
    MISINFORMATION = "misinformation"
    OTHER = "other"  # the member must say what is wrong

    @property
    def label(self) -> str:
        return str(FLAG_REASON_LABELS[self])


FLAG_REASON_LABELS = {
    FlagReason.SPAM: _l("Spam"),
    FlagReason.OFF_TOPIC: _l("Off topic"),
    FlagReason.ABUSIVE: _l("Abusive"),
    FlagReason.PERSONAL_DATA: _l("Personal data"),
    FlagReason.MISINFORMATION: _l("Misinformation"),
    FlagReason.OTHER: _l("Other"),
}


class Flag(TimestampMixin, db.Model):
    """A member's report that a post or thread needs a moderator. One per member and item.
    Resolving a flag sets `resolved_*`; flags are never deleted."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target_type: Mapped[str] = mapped_column(String(10))  # "post" or "thread"
    target_id: Mapped[int]
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    reason: Mapped[FlagReason] = mapped_column(str_enum(FlagReason, "flag_reason"))
    text: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(40))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")
    thread: Mapped[Thread] = relationship(lazy="select")  # noqa: F821 - discussion's model

    __table_args__ = (
        UniqueConstraint("reporter_id", "target_type", "target_id", name="uq_flags_reporter_target"),
        Index("ix_flags_target", "target_type", "target_id"),
    )


class AppealStatus(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the decision stands
    OVERTURNED = "overturned"  # the decision was undone


class Appeal(TimestampMixin, db.Model):
    """A member's one appeal against one moderation decision about their own content."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("moderation_actions.id"), unique=True)
    appellant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(str_enum(AppealStatus, "appeal_status"),
                                                 default=AppealStatus.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)

    action: Mapped[ModerationAction] = relationship(lazy="joined")
    appellant: Mapped[User] = relationship(foreign_keys=[appellant_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
