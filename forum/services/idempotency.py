"""Idempotency keys of API requests that create something. A key is claimed by inserting
its row in the transaction of the work itself: of two requests with one key, the second
waits on the unique (member, key) index until the first commits, then finds the row and
replays its answer. Keys are kept IDEMPOTENCY_KEY_HOURS (a day); a periodic job then
purges them, and the key may be used afresh."""
from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from forum import jobs
from forum.exceptions import Conflict, InvalidInput
from forum.extensions import db
from forum.models.accounts import User
from forum.models.api import IdempotencyKey
from forum.models.base import utcnow

WAIT_FOR_ANSWER = 5.0  # seconds a retry waits for the first request's answer to be stored


def claim(member: User, key: str, fingerprint: str
          ) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """(the new claim, None) for a fresh key, flushed but not committed: the work's commit
    commits it. (None, the stored row) when the key already has an answer. Raises
    InvalidInput for a key used with another request, Conflict while its first request is
    still at work."""
    existing = _find(member.id, key)
    if existing is None:
        row = IdempotencyKey(user_id=member.id, key=key, fingerprint=fingerprint)
        db.session.add(row)
        try:
            db.session.flush()
            return row, None
        except IntegrityError:
            db.session.rollback()
            existing = _find(member.id, key)
    return None, _answered(existing, fingerprint)


def _answered(row: IdempotencyKey, fingerprint: str) -> IdempotencyKey:
    if row.fingerprint != fingerprint:
        raise InvalidInput({"Idempotency-Key": _("This key was used with a different request.")},
                           code="idempotency_key_reused")
    deadline = time.monotonic() + WAIT_FOR_ANSWER
    while row.status is None and time.monotonic() < deadline:
        time.sleep(0.05)
        db.session.rollback()  # a fresh read of the row
        row = _find(row.user_id, row.key)
    if row.status is None:
        raise Conflict(_("A request with this Idempotency-Key is still being processed."),
                       code="idempotency_in_progress")
    return row


def record(row: IdempotencyKey, status: int, body: str, location: str | None) -> None:
    """Store the answer the work produced, for retries."""
    row.status, row.body, row.location, row.completed_at = status, body, location, utcnow()
    db.session.add(row)
    db.session.commit()


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                          IdempotencyKey.key == key))


@jobs.periodic(jobs.crontab(minute="23"))
def purge_expired_keys() -> int:
    """Every hour: forget the keys older than IDEMPOTENCY_KEY_HOURS."""
    cutoff = utcnow() - timedelta(hours=current_app.config["IDEMPOTENCY_KEY_HOURS"])
    gone = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
                              ).rowcount
    db.session.commit()
    return gone
