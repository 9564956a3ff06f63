"""Signed-in sessions, one record per browser (`LoginSession`).

Flask's session is a signed cookie that the server cannot take back, so the cookie (and the
"remember me" cookie) holds only the key of a record, and the user loader accepts it only
while the record exists. Rules: a sign-in always opens a new record (a new key); a password
change renews the current one and ends every other; turning two-factor sign-in on or off
renews the current one; a member sees their records and may end any of them. Ending a
session closes its live-room sockets. Nothing else (access tokens, devices) is touched."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app, g, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, delete, select, update

from forum.exceptions import NotFound
from forum.extensions import db
from forum.models.accounts import Suspension, User
from forum.models.base import utcnow
from forum.models.security import LoginSession
from forum.permissions.core import LATEST_FIRST, suspension_fact
from forum.services.live import sockets
from forum.services.security.clients import device_label, ip_prefix

KEY_PREFIX = "s1."  # marks a session key; the numeric ids of before cannot pass for one

# The member a session key names, the record and the member's latest open suspension, in
# the one statement each signed-in request costs.
_MEMBER_BY_KEY = (
    select(User, Suspension, LoginSession.id, LoginSession.last_seen_at, LoginSession.remember)
    .join(LoginSession, LoginSession.user_id == User.id)
    .outerjoin(Suspension, and_(Suspension.user_id == User.id, Suspension.lifted_at.is_(None)))
    .where(LoginSession.key_hash == bindparam("key"), LoginSession.expires_at > bindparam("now"))
    .order_by(*LATEST_FIRST).limit(1))


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def load_signed_in(key: str) -> User | None:
    """Flask-Login's user loader: the active member whose live session record has this key.
    Also notes the member's suspension and the record (`g.login_session`) for the rest of
    the request, and
    writes "last seen" at most once per SESSION_TOUCH_SECONDS."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    clean = not db.session().in_transaction()  # nothing of the request's own is pending
    now = utcnow()
    row = db.session.execute(_MEMBER_BY_KEY, {"key": key_hash(key), "now": now}).first()
    if row is None or not row[0].is_active:
        return None
    user, suspension, record_id, last_seen, remember = row
    user.login_key = key
    suspension_fact(user.id, suspension)
    g.login_session = (record_id, remember)
    if clean and now - last_seen > timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]):
        _touch(record_id, now, remember)
    return user


def current_id() -> int | None:
    """The id of the request's session record (None: not signed in by a session)."""
    if not has_request_context():
        return None
    fact = g.get("login_session")
    return fact[0] if fact else None


def _touch(record_id: int, now: datetime, remember: bool) -> None:
    """Last seen, and (without "remember me") the idle expiry moved on. Committed at once,
    keeping the rows just read: nothing else is in this transaction."""
    values = {"last_seen_at": now, "ip_prefix": ip_prefix(request.remote_addr)}
    if not remember:
        values["expires_at"] = now + timedelta(seconds=current_app.config["SESSION_IDLE_SECONDS"])
    db.session.execute(update(LoginSession).where(LoginSession.id == record_id).values(**values))
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _open(user: User, *, remember: bool, user_agent: str | None, address: str | None) -> str:
    """A new record for `user` (no commit); returns its key. The member's expired records
    go at the same time, so the table holds only live sessions and recent leftovers."""
    now = utcnow()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.expires_at <= now))
    config = current_app.config
    lifetime = config["REMEMBER_COOKIE_DURATION"] if remember else config["SESSION_IDLE_SECONDS"]
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = LoginSession(
        user_id=user.id, key_hash=key_hash(key), remember=remember, created_at=now,
        last_seen_at=now, expires_at=now + timedelta(seconds=_seconds(lifetime)),
        device=device_label(user_agent), ip_prefix=ip_prefix(address))
    db.session.add(record)
    db.session.flush()
    user.login_key = key
    if has_request_context():
        g.login_session = (record.id, remember)  # this request now runs in the new session
    return key


def _seconds(value) -> int:
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


def sign_in(user: User, *, remember: bool, user_agent: str | None, address: str | None) -> str:
    """Complete a sign-in (password, and the second factor when the member uses one): a new
    session record with a new key, and the time of the sign-in. Returns the key."""
    key = _open(user, remember=remember, user_agent=user_agent, address=address)
    user.last_login_at = utcnow()
    db.session.commit()
    return key


class Renewal(NamedTuple):
    key: str  # the current session's new key
    remember: bool  # whether it was (and stays) a "remember me" session
    ended: list[int]  # the records that ended, whose sockets close after the commit


def renew(user: User, *, end_others: bool = False) -> Renewal:
    """Give the current session a new key (a new record, same device and "remember me"), and
    with `end_others` end every other session of the member too. No commit: part of the
    caller's change (a password, two-factor sign-in), which closes the ended sessions'
    sockets (`close_sockets`) after its commit."""
    current = db.session.get(LoginSession, current_id() or 0)
    remember = current is not None and current.remember
    if end_others:
        condition = LoginSession.user_id == user.id
    else:
        condition = LoginSession.id == (current.id if current is not None else 0)
    ended = list(db.session.scalars(select(LoginSession.id).where(condition)))
    db.session.execute(delete(LoginSession).where(LoginSession.id.in_(ended)))
    key = _open(user, remember=remember,
                user_agent=request.user_agent.string if has_request_context() else None,
                address=request.remote_addr if has_request_context() else None)
    return Renewal(key, remember, ended)


def close_sockets(user_id: int, ended: list[int]) -> None:
    """Close the live sockets of sessions that ended (after the commit that ended them)."""
    for record_id in ended:
        sockets.close(user_id, record_id)


def sign_out(user: User) -> None:
    """End the request's own session (the record goes; its sockets close)."""
    record_id = current_id()
    if record_id is None:
        return
    db.session.execute(delete(LoginSession).where(LoginSession.id == record_id))
    db.session.commit()
    sockets.close(user.id, record_id)


def end(actor: User, record_id: int) -> None:
    """A member ends one of their own sessions (another member's is "not found")."""
    record = db.session.get(LoginSession, record_id)
    if record is None or record.user_id != actor.id:
        raise NotFound(_("There is no such session."))
    db.session.delete(record)
    db.session.commit()
    sockets.close(actor.id, record_id)


def end_others(actor: User) -> int:
    """"Sign out everywhere else": every session of the member but this one. Returns how many."""
    keep = current_id() or 0
    ended = list(db.session.scalars(select(LoginSession.id).where(
        LoginSession.user_id == actor.id, LoginSession.id != keep)))
    db.session.execute(delete(LoginSession).where(LoginSession.id.in_(ended)))
    db.session.commit()
    close_sockets(actor.id, ended)
    return len(ended)


def end_all(user_id: int) -> list[int]:
    """Every session of a member ends (erasure, a password reset). No commit; returns the
    ended records, whose sockets close after the commit (`close_sockets`)."""
    ended = list(db.session.scalars(select(LoginSession.id).where(
        LoginSession.user_id == user_id)))
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return ended


def active(actor: User) -> list[LoginSession]:
    """The member's live sessions, most recently seen first."""
    return list(db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == actor.id,
                                   LoginSession.expires_at > utcnow())
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def is_alive(record_id: int | None) -> bool:
    """Does this session record still exist and run (sockets check it when joining a room)?"""
    if record_id is None:
        return True  # an access-token socket: tokens are revoked on their own page
    return db.session.scalar(select(LoginSession.id).where(
        LoginSession.id == record_id, LoginSession.expires_at > utcnow())) is not None
