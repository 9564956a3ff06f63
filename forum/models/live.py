"""Live sessions: sessions, their ordered event stream, questions, polls, speaker queue."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from forum.extensions import db
from forum.models.accounts import Sector, User
from forum.models.base import TimestampMixin, str_enum, utcnow
from forum.models.discussion import FocusArea, Topic


class Visibility(enum.StrEnum):
    PUBLIC = "public"  # anyone may watch; members take part
    MEMBERS = "members"  # signed-in members only
    INVITE_ONLY = "invite_only"  # invited members, hosts and moderators


class Attribution(enum.StrEnum):
    ON_RECORD = "on_record"  # names, sectors and organisations
    SECTOR_ONLY = "sector_only"  # Chatham House Rule: only the sector leaves the room
    ANONYMOUS = "anonymous"  # neither names nor sectors on single contributions


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


class SessionRole(enum.StrEnum):
    HOST = "host"
    MODERATOR = "moderator"


class QuestionStatus(enum.StrEnum):
    PENDING = "pending"  # waits for a moderator (pre-moderated sessions)
    OPEN = "open"
    ANSWERED = "answered"
    HIDDEN = "hidden"
    MERGED = "merged"
    DEFERRED = "deferred"  # taken up after the session, in the archive thread


class PollStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class TurnStatus(enum.StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    LOWERED = "lowered"


VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public"),
    Visibility.MEMBERS: _l("Members only"),
    Visibility.INVITE_ONLY: _l("Invitation only"),
}
ATTRIBUTION_LABELS = {
    Attribution.ON_RECORD: _l("On the record (names shown)"),
    Attribution.SECTOR_ONLY: _l("Chatham House Rule (sector only)"),
    Attribution.ANONYMOUS: _l("Anonymous"),
}
STATUS_LABELS = {
    SessionStatus.SCHEDULED: _l("Upcoming"),
    SessionStatus.LIVE: _l("Live now"),
    SessionStatus.ENDED: _l("Ended"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}


class LiveSession(TimestampMixin, db.Model):
    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description_source: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, "live_visibility"),
                                                   default=Visibility.PUBLIC)
    attribution: Mapped[Attribution] = mapped_column(str_enum(Attribution, "live_attribution"),
                                                     default=Attribution.ON_RECORD)
    status: Mapped[SessionStatus] = mapped_column(str_enum(SessionStatus, "live_status"),
                                                  default=SessionStatus.SCHEDULED)
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    premoderate_questions: Mapped[bool] = mapped_column(default=False)
    slow_mode_seconds: Mapped[int] = mapped_column(default=0)
    last_seq: Mapped[int] = mapped_column(default=0)  # the seq of the newest event
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    cancelled_reason: Mapped[str | None] = mapped_column(String(500))
    archive_thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))

    focus_area: Mapped[FocusArea] = relationship(lazy="select")  # the room never needs these
    topic: Mapped[Topic] = relationship(lazy="select")
    people: Mapped[list[SessionPerson]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="SessionPerson.position")
    events: WriteOnlyMapped[LiveEvent] = relationship(order_by="LiveEvent.seq")

    @property
    def chatham_house(self) -> bool:
        return self.attribution == Attribution.SECTOR_ONLY

    def people_with(self, role: SessionRole) -> list[User]:
        return [p.user for p in self.people if p.role == role]

    def has_role(self, user_id: int | None, role: SessionRole | None = None) -> bool:
        return any(p.user_id == user_id and (role is None or p.role == role) for p in self.people)


class SessionPerson(db.Model):
    """A host or moderator of one session."""

    __tablename__ = "live_session_people"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[SessionRole] = mapped_column(str_enum(SessionRole, "live_role"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(lazy="joined")


class Invitation(TimestampMixin, db.Model):
    __tablename__ = "live_invitations"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Rsvp(TimestampMixin, db.Model):
    """A member says they will come to a session (one per member and session)."""

    __tablename__ = "live_rsvps"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), primary_key=True)
    # Indexed apart: a member's own sessions and calendar feed look RSVPs up by member.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class Participant(db.Model):
    """A member who joined the room at least once: attendance, mute, removal, slow mode."""

    __tablename__ = "live_participants"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))  # as it was when joining
    first_joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    muted: Mapped[bool] = mapped_column(default=False)
    removed: Mapped[bool] = mapped_column(default=False)
    last_message_at: Mapped[datetime | None]  # for slow mode

    user: Mapped[User] = relationship(lazy="select")


class Connection(db.Model):
    """One open socket in a room: presence is rebuilt from these after a restart."""

    __tablename__ = "live_connections"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The sign-in session the socket came with (None: an access token), so ending that
    # session closes its sockets. No foreign key: the socket is closed after the row goes.
    login_session_id: Mapped[int | None] = mapped_column(index=True)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveEvent(db.Model):
    """One entry of a session's ordered stream. Append-only; `seq` has no gaps."""

    __tablename__ = "live_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # kept for accountability
    actor: Mapped[dict | None] = mapped_column(JSON)  # what the room may see of the actor
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_live_events_session_seq"),)

    def as_wire(self) -> dict:
        return {"session_id": self.session_id, "seq": self.seq, "type": self.type,
                "at": self.at.isoformat(), "actor": self.actor, "data": self.data}


class Question(TimestampMixin, db.Model):
    __tablename__ = "live_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[QuestionStatus] = mapped_column(str_enum(QuestionStatus, "live_q_status"),
                                                   default=QuestionStatus.OPEN)
    pinned: Mapped[bool] = mapped_column(default=False)
    vote_count: Mapped[int] = mapped_column(default=0)
    answered_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("live_questions.id"))
    moderation_reason: Mapped[str | None] = mapped_column(String(500))
    seq: Mapped[int] = mapped_column(default=0)  # the event that asked it

    author: Mapped[User] = relationship(lazy="joined")


class QuestionVote(TimestampMixin, db.Model):
    __tablename__ = "live_question_votes"

    question_id: Mapped[int] = mapped_column(ForeignKey("live_questions.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Poll(TimestampMixin, db.Model):
    __tablename__ = "live_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    choices: Mapped[list] = mapped_column(JSON)
    multiple: Mapped[bool] = mapped_column(default=False)
    results_live: Mapped[bool] = mapped_column(default=True)  # False: results after close
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("live_polls.id"))  # opinion shift
    status: Mapped[PollStatus] = mapped_column(str_enum(PollStatus, "live_poll_status"),
                                               default=PollStatus.OPEN)
    closed_at: Mapped[datetime | None]


class Ballot(TimestampMixin, db.Model):
    """One member's vote in one poll (the primary key makes it one per member)."""

    __tablename__ = "live_ballots"

    poll_id: Mapped[int] = mapped_column(ForeignKey("live_polls.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    choices: Mapped[list] = mapped_column(JSON)


class SpeakerTurn(db.Model):
    """A raised hand, and the turn it may become."""

    __tablename__ = "live_speaker_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    status: Mapped[TurnStatus] = mapped_column(str_enum(TurnStatus, "live_turn_status"),
                                               default=TurnStatus.WAITING)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (Index("ix_live_speaker_turns_session_status", "session_id", "status"),)

    @property
    def seconds(self) -> int:
        if self.granted_at is None:
            return 0
        return int(((self.ended_at or utcnow()) - self.granted_at).total_seconds())
