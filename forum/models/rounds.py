"""Statement rounds: a question put to the members of a thread or a live session, the short
statements they submit, their agree / disagree / pass votes, and per-sector counters kept in
step with the votes (so results never scan every vote)."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.accounts import Sector, User
from forum.models.base import ClosesMixin, TimestampMixin, str_enum, utcnow
from forum.models.deliberation import Participation
from forum.models.discussion import PostStatus, Thread
from forum.models.live import LiveSession

MAX_STATEMENT_CHARS = 280


class Choice(enum.StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    PASS = "pass"  # seen, no view either way


CHOICE_LABELS = {Choice.AGREE: _l("Agree"), Choice.DISAGREE: _l("Disagree"),
                 Choice.PASS: _l("Pass")}


class Round(ClosesMixin, TimestampMixin, db.Model):
    """A question open for statements and votes until `closes_at` (or a moderator's early
    close). `version` counts changes (statements published or hidden, votes): the stored
    opinion groups carry the version they were computed at."""

    __tablename__ = "statement_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), index=True)
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"),
                                                        index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    participation: Mapped[Participation] = mapped_column(
        str_enum(Participation, "participation"), default=Participation.MEMBERS)
    premoderate: Mapped[bool] = mapped_column(default=False)  # every statement waits
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=0)
    # The opinion groups as last computed (see services/deliberation/common_ground.py).
    groups_cache: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    groups_version: Mapped[int | None]
    groups_at: Mapped[datetime | None]
    groups_queued_at: Mapped[datetime | None]  # a recomputation is waiting (round_groups.py)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    thread: Mapped[Thread | None] = relationship(lazy="select")
    live_session: Mapped[LiveSession | None] = relationship(lazy="select")

    __table_args__ = (
        CheckConstraint("thread_id IS NOT NULL OR live_session_id IS NOT NULL",
                        name="round_place"),
    )


class Statement(db.Model):
    """A member's short statement in a round. Pending ones wait for a moderator; hidden ones
    keep their row (and votes) but leave the voting order and the results."""

    __tablename__ = "round_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("statement_rounds.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(String(MAX_STATEMENT_CHARS))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))  # the author's, then
    status: Mapped[PostStatus] = mapped_column(str_enum(PostStatus, "post_status"),
                                               default=PostStatus.PUBLISHED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    votes: Mapped[int] = mapped_column(default=0)  # votes cast, for the fair voting order

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    round: Mapped[Round] = relationship(lazy="select")

    __table_args__ = (Index("ix_round_statements_order", "round_id", "status", "votes", "id"),)

    @property
    def is_shown(self) -> bool:
        return self.status == PostStatus.PUBLISHED and self.hidden_at is None


class StatementVote(db.Model):
    """A member's current vote on a statement: one per member (the unique constraint); a
    change replaces it. The sector is the voter's when they last voted."""

    __tablename__ = "statement_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("round_statements.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("statement_rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    choice: Mapped[Choice] = mapped_column(str_enum(Choice, "vote_choice"))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("statement_id", "user_id", name="uq_statement_votes_statement_user"),
        Index("ix_statement_votes_round_user", "round_id", "user_id"),
    )


class StatementTally(db.Model):
    """Votes on one statement from one sector, kept in the vote's transaction."""

    __tablename__ = "statement_tallies"

    statement_id: Mapped[int] = mapped_column(ForeignKey("round_statements.id"),
                                              primary_key=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("statement_rounds.id"), index=True)
    agree: Mapped[int] = mapped_column(default=0)
    disagree: Mapped[int] = mapped_column(default=0)
    passed: Mapped[int] = mapped_column(default=0)


class StatementFlag(TimestampMixin, db.Model):
    """A member's report that a statement needs a moderator; one per member and statement."""

    __tablename__ = "statement_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("round_statements.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("statement_id", "reporter_id",
                                       name="uq_statement_flags_statement_reporter"),)

