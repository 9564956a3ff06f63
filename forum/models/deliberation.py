"""Deliberation: proposals, members' positions on them and the history of their changes,
the outcome a moderator records, and the commitments that follow from outcomes and sessions."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.accounts import Sector, User
from forum.models.base import ClosesMixin, TimestampMixin, str_enum, utcnow
from forum.models.discussion import Thread
from forum.models.live import LiveSession


class Participation(enum.StrEnum):
    MEMBERS = "members"  # every member who may take part
    VERIFIED = "verified"  # members whose role a moderator has verified
    SESSION = "session"  # the participants of the proposal's live session

    @classmethod
    def offered(cls, in_session: bool) -> list[Participation]:
        """Who may be asked: a live session's participants only by what opens in a session."""
        return list(cls) if in_session else [cls.MEMBERS, cls.VERIFIED]


class Stance(enum.StrEnum):
    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"  # a fundamental objection: "I cannot live with this"


class OutcomeKind(enum.StrEnum):
    AGREED = "agreed"
    AMENDED = "amended"  # agreed with changes
    NOT_AGREED = "not_agreed"
    NO_AGREEMENT_YET = "no_agreement_yet"  # the discussion continues


class CommitmentStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def is_active(self) -> bool:
        return self in (CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)


STANCE_LABELS = {
    Stance.AGREE: _l("Agree"),
    Stance.ABSTAIN: _l("Abstain"),
    Stance.DISAGREE: _l("Disagree"),
    Stance.BLOCK: _l("Block"),
}
STANCE_HELP = {
    Stance.AGREE: _l("I support the proposal."),
    Stance.ABSTAIN: _l("I stand aside: I neither support nor oppose it."),
    Stance.DISAGREE: _l("I oppose it, but will not stand in its way."),
    Stance.BLOCK: _l("I cannot live with it: a fundamental objection."),
}
PARTICIPATION_LABELS = {
    Participation.MEMBERS: _l("All members"),
    Participation.VERIFIED: _l("Verified members"),
    Participation.SESSION: _l("Participants of the live session"),
}
OUTCOME_LABELS = {
    OutcomeKind.AGREED: _l("Agreed"),
    OutcomeKind.AMENDED: _l("Agreed with changes"),
    OutcomeKind.NOT_AGREED: _l("Not agreed"),
    OutcomeKind.NO_AGREEMENT_YET: _l("No agreement yet: the discussion continues"),
}
COMMITMENT_STATUS_LABELS = {
    CommitmentStatus.OPEN: _l("Open"),
    CommitmentStatus.IN_PROGRESS: _l("In progress"),
    CommitmentStatus.DONE: _l("Done"),
    CommitmentStatus.DROPPED: _l("Dropped"),
}


class Proposal(ClosesMixin, TimestampMixin, db.Model):
    """A statement put to the members of a thread or a live session, open until `closes_at`
    or until a moderator closes it early. `version` counts position changes: every tally
    carries it, so a client keeps the newest of two tallies that cross on the way."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), index=True)
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"),
                                                        index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    statement_source: Mapped[str] = mapped_column(Text)
    statement_html: Mapped[str] = mapped_column(Text)
    background_source: Mapped[str] = mapped_column(Text, default="")
    background_html: Mapped[str] = mapped_column(Text, default="")
    participation: Mapped[Participation] = mapped_column(
        str_enum(Participation, "participation"), default=Participation.MEMBERS)
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]  # a moderator's early close, or closes_at once the job recorded it
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=0)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    thread: Mapped[Thread | None] = relationship(lazy="select")
    live_session: Mapped[LiveSession | None] = relationship(lazy="select")
    outcome: Mapped[Outcome | None] = relationship(back_populates="proposal", lazy="select")

    __table_args__ = (
        CheckConstraint("thread_id IS NOT NULL OR live_session_id IS NOT NULL", name="place"),
    )


class Position(db.Model):
    """A member's current position on a proposal: one per member (the unique constraint), so
    a change replaces the earlier one. Sector and verification are kept as they were when it
    was taken, so the tallies of a closed proposal never move."""

    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, "stance"))
    reason: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[int] = mapped_column(default=1)  # submissions so far, the first included

    user: Mapped[User] = relationship(lazy="select")

    __table_args__ = (UniqueConstraint("proposal_id", "user_id",
                                       name="uq_positions_proposal_user"),)


class PositionChange(db.Model):
    """One submission of a position (the first one too): a member's history. Append-only."""

    __tablename__ = "position_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, "stance"))
    reason: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_position_changes_proposal_user", "proposal_id", "user_id"),)


class Outcome(TimestampMixin, db.Model):
    """What was decided on a closed proposal, with the tallies frozen when it was recorded.
    It is posted in the proposal's thread (`post_id`); edits keep the earlier text there."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), unique=True)
    kind: Mapped[OutcomeKind] = mapped_column(str_enum(OutcomeKind, "outcome_kind"))
    decision_source: Mapped[str] = mapped_column(Text)
    decision_html: Mapped[str] = mapped_column(Text)
    next_steps_source: Mapped[str] = mapped_column(Text, default="")
    next_steps_html: Mapped[str] = mapped_column(Text, default="")
    final_tally: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship(back_populates="outcome", lazy="joined")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="select")


class Commitment(TimestampMixin, db.Model):
    """What a member (for themselves or their organisation) undertakes to do, by when, recorded
    from an outcome or a live session. Only its owner changes the status."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"), index=True)
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"),
                                                        index=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))  # the owner's, when made
    organisation: Mapped[str] = mapped_column(String(120), default="")
    text: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date]
    review_on: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"), default=CommitmentStatus.OPEN,
        index=True)
    status_note: Mapped[str] = mapped_column(String(500), default="")
    status_changed_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    review_soon_noticed_at: Mapped[datetime | None]  # the "review date nears" notice went out
    review_passed_noticed_at: Mapped[datetime | None]  # the "review date has passed" one

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    outcome: Mapped[Outcome | None] = relationship(lazy="select")
    live_session: Mapped[LiveSession | None] = relationship(lazy="select")

    __table_args__ = (
        CheckConstraint("outcome_id IS NOT NULL OR live_session_id IS NOT NULL", name="source"),
    )

    def is_overdue(self, today: date) -> bool:
        return self.status.is_active and self.due_on < today


class CommitmentUpdate(db.Model):
    """One status report by a commitment's owner (or its recording). Append-only."""

    __tablename__ = "commitment_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"))
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
