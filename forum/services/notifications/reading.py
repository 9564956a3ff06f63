"""Reading notices: what a notice says in the reader's language, which notices can still be
seen, the member's list and unread count. Nothing here writes; `store`, `push` and `mailing`
all read through this module, and it imports none of them."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_request_context
from flask_babel import force_locale
from sqlalchemy import and_, exists, func, or_, select

from forum.extensions import db
from forum.models.accounts import User
from forum.models.discussion import Post, PostStatus, Thread
from forum.models.notifications import Notification
from forum.services.notifications import kinds


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Word things in `language`; outside a request (a job), as in an email."""
    if has_request_context():
        with force_locale(language):
            yield
    else:
        from forum.services.mail.compose import in_language  # noqa: PLC0415

        with in_language(language):
            yield


def language_of(user) -> str:
    return (user.language if user is not None and user.language
            else current_app.config["BABEL_DEFAULT_LOCALE"])


def visible():
    """The condition that a notice's content can still be seen by anyone it was for."""
    post_ok = exists(select(Post.id).where(
        Post.id == Notification.post_id, Post.status == PostStatus.PUBLISHED,
        Post.hidden_at.is_(None), Post.deleted_at.is_(None)))
    thread_ok = exists(select(Thread.id).where(Thread.id == Notification.thread_id,
                                               Thread.hidden_at.is_(None)))
    return and_(or_(Notification.post_id.is_(None), post_ok),
                or_(Notification.thread_id.is_(None), thread_ok))


@dataclass
class NoticeView:
    """A notice (or a group of notices of one thread) worded in the current locale."""

    id: int
    kind: str
    text: str
    link: str | None
    created_at: datetime
    unread: bool
    thread_id: int | None = None
    members: list[NoticeView] = field(default_factory=list)  # a group's notices

    @property
    def ids(self) -> list[int]:
        return [m.id for m in self.members] or [self.id]


def view(note: Notification) -> NoticeView:
    return NoticeView(note.id, note.kind, kinds.text_of(note.kind, note.params or {}),
                      kinds.link_of(note.kind, note.params or {}, note.link), note.created_at,
                      note.read_at is None, note.thread_id)


def worded(note: Notification, language: str) -> NoticeView:
    """The notice as `language` reads it (for the API, emails and tests)."""
    with speaking(language):
        return view(note)


def before(user: User, before_id: int | None, limit: int) -> list[Notification]:
    """The member's visible notices, newest first, older than `before_id` (limit + 1 at
    most, so callers can tell whether there are more)."""
    query = select(Notification).where(Notification.user_id == user.id, visible())
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))


def latest_for(user: User, limit: int = 50) -> list[Notification]:
    return before(user, None, limit)[:limit]


def grouped(notes: list[Notification]) -> list[NoticeView]:
    """Views of `notes` (newest first) where the notices of one groupable kind in one
    thread, read or unread alike, become one line at the place of the newest."""
    out: list[NoticeView] = []
    groups: dict[tuple, NoticeView] = {}
    for note in notes:
        item = view(note)
        found = kinds.KINDS.get(note.kind)
        if found is None or not found.groups or note.thread_id is None:
            out.append(item)
            continue
        key = (note.kind, note.thread_id, item.unread)
        if key in groups:
            groups[key].members.append(item)
            continue
        groups[key] = NoticeView(item.id, item.kind, item.text, item.link, item.created_at,
                                 item.unread, item.thread_id, [item])
        out.append(groups[key])
    by_id = {n.id: n for n in notes}
    for entry in out:
        if len(entry.members) > 1:
            title = (by_id[entry.id].params or {}).get("title", "")
            entry.text = kinds.group_text(entry.kind, len(entry.members), title)
            entry.link = entry.members[-1].link  # the oldest: read on from there
        entry.members = entry.members if len(entry.members) > 1 else []
    return out


def unread_count(user: User | int) -> int:
    user_id = user if isinstance(user, int) else user.id
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None), visible())) or 0
