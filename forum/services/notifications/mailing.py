"""Notices by email: at once (gathered over `NOTICE_MAIL_WINDOW_SECONDS`, so fifty mentions
in a minute make one email, not fifty) or in one daily digest per member.

Each notice waits with a mail status (`queued` or `digest`); a job claims the waiting rows
with one conditional update before it builds the email, so a job that runs twice, or two
jobs at once, never send a notice twice. Emails are worded in the member's language, carry
a plain-text part and a signed one-click unsubscribe link (the mail layer's)."""
from __future__ import annotations

import logging
from datetime import timedelta
from email.headerregistry import Address

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from forum import jobs
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.mail import EmailDelivery
from forum.models.notifications import MailStatus, Notification
from forum.services.mail import compose, preferences, transport
from forum.services.notifications import kinds, reading

_MAIL_SOON = "forum.notices.mail_soon"  # (member, email kind) pairs already given a job

log = logging.getLogger(__name__)


def mail_soon(member_id: int, mail_kind: str) -> None:
    """Have the member's waiting notices of this email kind sent at the end of the
    gathering window: one job per member and kind in a transaction."""
    planned = db.session.info.setdefault(_MAIL_SOON, set())
    if (member_id, mail_kind) in planned:
        return
    planned.add((member_id, mail_kind))
    window = timedelta(seconds=int(current_app.config["NOTICE_MAIL_WINDOW_SECONDS"]))
    mail_queued.enqueue_at(utcnow() + window, member_id, mail_kind)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_MAIL_SOON, None)


@jobs.task()
def mail_queued(member_id: int, mail_kind: str) -> None:
    """Send the member's waiting notices of one email kind in one email."""
    member = db.session.get(User, member_id)
    names = kinds.names_for_mail_kind(mail_kind)
    if member is None or not names:
        return
    condition = (Notification.user_id == member_id, Notification.kind.in_(names),
                 Notification.mail_status == MailStatus.QUEUED)
    notes = _claim(condition)
    if not notes or not _may_mail(member, mail_kind):
        return
    _deliver(member, notes, mail_kind, digest=False)


@jobs.periodic(jobs.crontab(minute="0", hour="5"))
def send_daily_digests() -> None:
    """Every morning (05:00 UTC), each member's digest of the day's waiting notices."""
    members = db.session.scalars(select(Notification.user_id).where(
        Notification.mail_status == MailStatus.DIGEST).distinct().order_by(Notification.user_id))
    for member_id in list(members):
        send_digest(member_id)


def send_digest(member_id: int) -> int:
    """One member's digest now; returns how many notices it held (0: no email). Notices
    the member has already read in the page, or whose content is gone, are left out."""
    member = db.session.get(User, member_id)
    notes = _claim((Notification.user_id == member_id,
                    Notification.mail_status == MailStatus.DIGEST))
    notes = [n for n in notes if n.read_at is None]
    if member is None or not notes or not _may_mail(member, kinds.DIGEST):
        return 0
    _deliver(member, notes, kinds.DIGEST, digest=True)
    return len(notes)


def _claim(condition: tuple) -> list[Notification]:
    """Take the waiting notices for this email, visible ones only; commit the claim."""
    ids = list(db.session.scalars(select(Notification.id).where(*condition)))
    if not ids:
        return []
    claimed = db.session.execute(
        update(Notification).where(Notification.id.in_(ids), *condition)
        .values(mail_status=MailStatus.SENT).returning(Notification.id)
        .execution_options(synchronize_session=False)).scalars().all()
    db.session.commit()
    if not claimed:
        return []
    return list(db.session.scalars(select(Notification).where(
        Notification.id.in_(claimed), reading.visible()).order_by(Notification.id)))


def _may_mail(member: User, mail_kind: str) -> bool:
    return (member.erased_at is None and member.is_confirmed
            and preferences.delivery_for(member, mail_kind) is not EmailDelivery.OFF)


def _deliver(member: User, notes: list[Notification], mail_kind: str, *, digest: bool) -> None:
    """Build and send the email here, in the job (a failure raises, so the job retries; the
    rows are claimed, so a retry needs them back)."""
    language = reading.language_of(member)
    try:
        message = compose.build(Address(member.display_name, addr_spec=member.email),
                                "notices", language,
                                {"member": member, "notes": notes, "digest": digest},
                                unsubscribe=(member.id, mail_kind))
        transport.deliver(message)
    except Exception:
        db.session.execute(update(Notification).where(
            Notification.id.in_([n.id for n in notes]))
            .values(mail_status=MailStatus.DIGEST if digest else MailStatus.QUEUED))
        db.session.commit()
        raise
    log.info("notices %s to member %s by email", [n.id for n in notes], member.id)
