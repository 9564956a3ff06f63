"""Writing notices and marking them read. `notify` does not commit: callers add notices
inside their own transaction, and `push` (the member's open pages) and `mailing` (email)
act on them only when that transaction commits. Reading notices is `reading`'s job."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from forum.exceptions import NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.mail import EmailDelivery
from forum.models.notifications import MailStatus, Notification
from forum.services.mail import preferences
from forum.services.notifications import kinds, mailing, push


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
        mailing.mail_soon(member.id, mail_kind)
        return MailStatus.QUEUED
    return None


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
