"""Writing and reading notices. `notify` does not commit: callers add notices inside their
own transaction, and the notice is pushed to the member's open pages (and queued for email)
only when that transaction commits. Reading and marking read are for the member's own
notices; a notice about content that is no longer visible (hidden, deleted, not published,
in a hidden thread) is neither shown nor counted."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select, update

from forum.exceptions import NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.discussion import Post, PostStatus, Thread
from forum.models.mail import EmailDelivery
from forum.models.notifications import MailStatus, Notification
from forum.services.mail import preferences
from forum.services.notifications import kinds, push

_MAIL_SOON = "forum.notices.mail_soon"  # (member, email kind) pairs already given a job


def notify(user_id: int, kind: str, params: dict | None = None, *, actor_id: int | None = None,
           thread_id: int | None = None, post_id: int | None = None,
           link: str | None = None) -> Notification | None:
    """Add a notice of `kind` (see `kinds`) for a member. Never to the actor themself, nor
    to an erased member. Returns the notice, or None when there is none to add."""
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    if actor_id is not None and actor_id == user_id:
        return None
    member = db.session.get(User, user_id)
    if member is None or member.erased_at is not None:
        return None
    note = Notification(user_id=user_id, kind=kind, params=dict(params or {}), link=link,
                        actor_id=actor_id, thread_id=thread_id, post_id=post_id,
                        created_at=utcnow())
    note.mail_status = _mail_status(member, kinds.mail_kind_of(kind))
    db.session.add(note)
    push.notice_soon(note)
    return note


def _mail_status(member: User, mail_kind: str | None) -> MailStatus | None:
    """At once (after a short window that gathers what follows into one email), in the
    daily digest, or not by email. Addresses not yet confirmed get no notices by email."""
    if mail_kind is None or not member.is_confirmed:
        return None
    delivery = preferences.delivery_for(member, mail_kind)
    if delivery is EmailDelivery.DAILY:
        return MailStatus.DIGEST
    if delivery is EmailDelivery.IMMEDIATE:
        _mail_soon(member.id, mail_kind)
        return MailStatus.QUEUED
    return None


def _mail_soon(member_id: int, mail_kind: str) -> None:
    from forum.services.notifications import mailing  # noqa: PLC0415 - jobs import this module

    planned = db.session.info.setdefault(_MAIL_SOON, set())
    if (member_id, mail_kind) in planned:
        return
    planned.add((member_id, mail_kind))
    window = timedelta(seconds=int(current_app.config["NOTICE_MAIL_WINDOW_SECONDS"]))
    mailing.mail_queued.enqueue_at(utcnow() + window, member_id, mail_kind)


# --- Reading --------------------------------------------------------------------------------

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
    with push.speaking(language):
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


def open_notice(user: User, notice_id: int) -> str:
    """Mark one of the member's notices read and say where it leads."""
    note = _own(user, notice_id)
    link = kinds.link_of(note.kind, note.params or {}, note.link)
    _mark(user, [note.id])
    return link or "/notifications"


def mark_read(user: User, notice_ids: list[int]) -> int:
    """Mark some of the member's own notices read (another member's ids are not found)."""
    for notice_id in notice_ids:
        _own(user, notice_id)
    return _mark(user, notice_ids)


def mark_all_read(user: User) -> int:
    """The member has seen all their notices."""
    return _mark(user, None)


def _own(user: User, notice_id: int) -> Notification:
    note = db.session.get(Notification, notice_id)
    if note is None or note.user_id != user.id:
        raise NotFound(_("There is no such notification."))
    return note


def _mark(user: User, notice_ids: list[int] | None) -> int:
    statement = update(Notification).where(Notification.user_id == user.id,
                                           Notification.read_at.is_(None))
    if notice_ids is not None:
        statement = statement.where(Notification.id.in_(notice_ids))
    changed = db.session.execute(statement.values(read_at=utcnow())
                                 .execution_options(synchronize_session=False)).rowcount
    push.count_soon(user.id)
    db.session.commit()
    return changed
