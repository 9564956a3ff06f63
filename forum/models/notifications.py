"""Notifications: what members follow, the notices they get (a kind and its parameters,
worded in the reader's language when shown), and each member's notice settings."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import TimestampMixin, str_enum


class FollowTarget(enum.StrEnum):
    AREA = "area"
    TOPIC = "topic"
    THREAD = "thread"
    SESSION = "session"


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waits for its email (sent at once, coalesced over a short window)
    DIGEST = "digest"  # waits for the member's daily digest
    SENT = "sent"  # in an email that went out


class Notification(TimestampMixin, db.Model):
    """One notice to one member. `params` holds ids and names only; the words are chosen
    when the notice is shown, in the reader's language (forum.services.notifications.kinds).
    `thread_id` groups notices of one thread; `post_id` is the content a notice is about,
    so a notice about a post that is hidden or deleted later is no longer shown."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    read_at: Mapped[datetime | None]
    mail_status: Mapped[MailStatus | None] = mapped_column(str_enum(MailStatus, "mail_status"))

    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),
                      Index("ix_notifications_mail", "mail_status", "user_id"))


class Subscription(TimestampMixin, db.Model):
    """A member follows (or, `active` false, has stopped following) one area, topic, thread
    or live session. A row kept inactive remembers an explicit "unfollow", so replying in
    the thread again does not follow it again by default."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target_type: Mapped[FollowTarget] = mapped_column(str_enum(FollowTarget, "follow_target"))
    target_id: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id", name="uq_subscriptions_target"),
        Index("ix_subscriptions_target", "target_type", "target_id", "active"),
    )


class NoticeSettings(db.Model):
    """A member's notice settings; no row means the defaults."""

    __tablename__ = "notice_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # follow my own threads and the threads I reply in, by default
    auto_follow: Mapped[bool] = mapped_column(default=True)


class SessionReminder(db.Model):
    """A reminder stage ("soon": 15 minutes ahead, "now": at the start) that has gone out
    for a live session; claimed by inserting the row, so it goes out once."""

    __tablename__ = "session_reminders"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(10), primary_key=True)
    sent_at: Mapped[datetime]
