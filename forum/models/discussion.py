"""The forum: focus areas hold topics, topics hold threads, threads hold posts."""
from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import TimestampMixin, str_enum, utcnow


class TopicStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


TOPIC_STATUS_LABELS = {
    TopicStatus.OPEN: _l("Open"),
    TopicStatus.CLOSED: _l("Closed"),
    TopicStatus.ARCHIVED: _l("Archived"),
}


class PostStatus(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # waits for a moderator (pre-moderation)
    REJECTED = "rejected"


class Capacity(enum.StrEnum):
    PERSONAL = "personal"  # a personal view
    ROLE = "role"  # in the member's role: title at organisation


class FocusArea(db.Model):
    __tablename__ = "focus_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    name_sv: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    description_sv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_sv

    def description(self, locale: str) -> str:
        return self.description_en if locale == "en" else self.description_sv


topic_tags = Table(
    "topic_tags",
    db.Model.metadata,
    Column("topic_id", ForeignKey("topics.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class Topic(TimestampMixin, db.Model):
    """A governance question curated by moderators."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_areas.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    framing_source: Mapped[str] = mapped_column(Text, default="")
    framing_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TopicStatus] = mapped_column(str_enum(TopicStatus, "topic_status"),
                                                default=TopicStatus.OPEN)
    pinned: Mapped[bool] = mapped_column(default=False)
    featured: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    thread_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)

    focus_area: Mapped[FocusArea] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=topic_tags, lazy="selectin",
                                           order_by="Tag.name")
    threads: WriteOnlyMapped[Thread] = relationship(back_populates="topic")

    __table_args__ = (Index("ix_topics_area_activity", "focus_area_id", "status",
                            "last_activity_at"),)


class Thread(TimestampMixin, db.Model):
    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    post_count: Mapped[int] = mapped_column(default=0)  # published posts, opening post included
    last_position: Mapped[int] = mapped_column(default=0)  # highest Post.position handed out
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", use_alter=True))
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))

    topic: Mapped[Topic] = relationship(back_populates="threads", lazy="joined")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])
    posts: WriteOnlyMapped[Post] = relationship(
        back_populates="thread", foreign_keys="Post.thread_id", order_by="Post.position")

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    __table_args__ = (Index("ix_threads_topic_order", "topic_id", "pinned", "last_activity_at"),
                      Index("ix_threads_activity", "last_activity_at"))


class Post(TimestampMixin, db.Model):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    # 1, 2, 3 ... within the thread: pages are ranges of positions. None while the post
    # awaits approval or was rejected: readers who cannot see it must not lose a place.
    position: Mapped[int | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    depth: Mapped[int] = mapped_column(default=0)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    capacity: Mapped[Capacity] = mapped_column(str_enum(Capacity, "capacity"),
                                               default=Capacity.PERSONAL)
    capacity_label: Mapped[str] = mapped_column(String(250), default="")  # role line when written
    status: Mapped[PostStatus] = mapped_column(str_enum(PostStatus, "post_status"),
                                               default=PostStatus.PUBLISHED)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    edited_at: Mapped[datetime | None]
    edit_count: Mapped[int] = mapped_column(default=0)
    deleted_at: Mapped[datetime | None]  # soft delete by the author
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    thread: Mapped[Thread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    parent: Mapped[Post | None] = relationship(remote_side=[id])
    revisions: WriteOnlyMapped[Revision] = relationship(order_by="Revision.id")

    __table_args__ = (
        UniqueConstraint("thread_id", "position", name="uq_posts_thread_position"),
    )


@dataclass(slots=True)
class AuthorRow:
    """A post's author as a list shows them (the public part of a User)."""

    id: int
    display_name: str
    sector: Any
    organisation: str
    title: str
    verified_at: datetime | None
    erased_at: datetime | None


@dataclass(slots=True)
class PostRow:
    """A post read as a plain row for long lists (the API's posts list), with no ORM instance
    to build: the attributes are named as on Post, so the permission rules and the API's
    schema read it as they read a Post. `thread` is the (ORM) thread it was listed from."""

    id: int
    thread_id: int
    position: int | None
    author_id: int
    parent_id: int | None
    depth: int
    body_source: str
    body_html: str
    capacity: Capacity
    capacity_label: str
    status: PostStatus
    created_at: datetime
    edited_at: datetime | None
    edit_count: int
    deleted_at: datetime | None
    hidden_at: datetime | None
    hidden_reason: str | None
    author: AuthorRow
    thread: Thread

    @staticmethod
    def columns() -> list:
        """The columns to select, in field order: the post's, then its author's (join users)."""
        post, user = Post.__table__.c, User.__table__.c
        return ([post[f.name] for f in fields(PostRow) if f.name not in ("author", "thread")]
                + [user[f.name] for f in fields(AuthorRow)])

    @classmethod
    def of(cls, row, thread: Thread) -> PostRow:
        """A PostRow from a row of `columns()`."""
        return cls(*row[:_POST_FIELDS], AuthorRow(*row[_POST_FIELDS:]), thread)


_POST_FIELDS = len(fields(PostRow)) - 2  # the post's own; then author and thread


class Revision(db.Model):
    """The text of a post before one edit. Append-only."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    body_source: Mapped[str] = mapped_column(Text)  # the text as it was before this edit
    moderator_only: Mapped[bool] = mapped_column(default=False)  # personal data edited out
    reason: Mapped[str | None] = mapped_column(String(500))

    editor: Mapped[User] = relationship(lazy="joined")


class ReactionKind(enum.StrEnum):
    AGREE = "agree"
    INSIGHTFUL = "insightful"
    THANKS = "thanks"


REACTION_LABELS = {
    ReactionKind.AGREE: _l("Agree"),
    ReactionKind.INSIGHTFUL: _l("Insightful"),
    ReactionKind.THANKS: _l("Thanks"),
}


class Reaction(TimestampMixin, db.Model):
    __tablename__ = "reactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ReactionKind] = mapped_column(str_enum(ReactionKind, "reaction_kind"))

    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind",
                                       name="uq_reactions_post_user_kind"),)


class ReadMark(db.Model):
    """How far a member has read a thread (the highest position seen)."""

    __tablename__ = "read_marks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), primary_key=True)
    last_read_position: Mapped[int] = mapped_column(default=0)


class Mention(db.Model):
    """A member named with @ in a post; the notifications issue reads these."""

    __tablename__ = "mentions"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
