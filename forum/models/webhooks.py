"""Webhooks: the endpoints admins register, the events the forum records for them (an outbox
written in the transaction of the change), and each delivery with its attempts."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import TimestampMixin, str_enum


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first attempt or a retry
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # retried for the whole window without success


class WebhookEndpoint(TimestampMixin, db.Model):
    """A URL that hears about the kinds of event it names, signed with its secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    secret: Mapped[str] = mapped_column(String(200))  # the HMAC key; receivers hold it too
    kinds: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    failing_since: Mapped[datetime | None]  # a delivery used up its retries (cleared by a success)
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class WebhookEvent(TimestampMixin, db.Model):
    """Something that happened, recorded with the change that caused it (never updated)."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class WebhookDelivery(TimestampMixin, db.Model):
    """One event for one endpoint. Attempts are counted; a job runs only the attempt it was
    queued for, so a job queued twice never sends twice."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"),
                                          index=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "webhook_delivery_status"),
        default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    claimed_until: Mapped[datetime | None]  # an attempt under way (a worker that died lets go)
    response_code: Mapped[int | None]  # of the latest attempt
    duration_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    completed_at: Mapped[datetime | None]
    resent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # sent again by hand

    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="joined")
    event: Mapped[WebhookEvent] = relationship(lazy="joined")


class WebhookAttempt(db.Model):
    """One try of a delivery: what the receiver answered, how long it took, what went wrong."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    started_at: Mapped[datetime]
    response_code: Mapped[int | None]
    duration_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(500))
