"""Jobs that failed on their last attempt, kept for admins to read and retry."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import TimestampMixin


class FailedJob(TimestampMixin, db.Model):
    """One run of a job that used up its retries. `created_at` is when it finally failed."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))  # the job's registered name
    args: Mapped[list[Any]] = mapped_column(JSON)
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int]
    error: Mapped[str] = mapped_column(String(2000))
    traceback: Mapped[str] = mapped_column(Text)
    retried_at: Mapped[datetime | None]
    retried_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
