"""The secret in a member's private calendar address: make (or renew), revoke, look up.

Only the secret's SHA-256 is kept, so the address is shown once, when it is made; a member
who lost it makes a new one, and the old address stops working at once."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from forum.exceptions import NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.feeds import FeedToken

PREFIX = "rdc_"
USE_NOTED_EVERY = timedelta(hours=1)  # calendar apps poll often; note the use now and then


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def current(member: User) -> FeedToken | None:
    return db.session.get(FeedToken, member.id)


def renew(member: User) -> str:
    """A new secret for `member`'s calendar address (replacing any earlier one). Returned
    once; only its hash is stored."""
    secret = PREFIX + secrets.token_urlsafe(32)
    row = current(member)
    if row is None:
        db.session.add(FeedToken(user_id=member.id, token_hash=_digest(secret)))
    else:
        row.token_hash, row.created_at, row.last_used_at = _digest(secret), utcnow(), None
    db.session.commit()
    return secret


def revoke(member: User) -> bool:
    """Turn the private address off. True if there was one."""
    removed = db.session.execute(delete(FeedToken).where(FeedToken.user_id == member.id))
    db.session.commit()
    return bool(removed.rowcount)


def member_for(secret: str) -> User:
    """The member whose address holds `secret`; 'not found' for a wrong, renewed or revoked
    secret, or an account that is closed (the same answer, so nothing can be probed)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        raise NotFound(_("There is no such calendar."))
    row = db.session.scalar(select(FeedToken).where(FeedToken.token_hash == _digest(secret)))
    member = db.session.get(User, row.user_id) if row is not None else None
    if member is None or not member.is_active:
        raise NotFound(_("There is no such calendar."))
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > USE_NOTED_EVERY:
        row.last_used_at = now
        db.session.commit()
    return member


def forget_member(user_id: int) -> None:
    """Erasure: the address goes with the account (the caller commits)."""
    db.session.execute(delete(FeedToken).where(FeedToken.user_id == user_id))
