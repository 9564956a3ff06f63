"""Devices: the known-device cookie that the sign-in limits trust, and the devices a member
asked not to be asked for a two-factor code on.

Known device: every successful sign-in leaves a signed cookie naming (by a hash) the accounts
that signed in on this browser. Failed sign-ins to such an account from it count against a
limit of its own, not the account's or the address's, so an attacker who hammers an account
from elsewhere cannot lock its member out of their own browser.

Trusted device: a signed cookie naming a `TrustedDevice` row, for TWO_FACTOR_DEVICE_DAYS;
forgetting the device deletes the row, and the cookie is worth nothing after that."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select

from forum.exceptions import NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.security import TrustedDevice
from forum.services.security.clients import device_label

KNOWN_COOKIE = "radslag_device"
TRUSTED_COOKIE = "radslag_2fa"
KNOWN_ACCOUNTS_KEPT = 5  # accounts one browser remembers having signed in to


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def account_tag(email: str) -> str:
    """A short keyed hash of a normalised email address (the cookie never holds the address)."""
    digest = hmac.new(current_app.secret_key.encode(), email.strip().lower().encode(),
                      hashlib.sha256)
    return digest.hexdigest()[:20]


def _known(cookie: str | None) -> dict | None:
    if not cookie or len(cookie) > 1000:
        return None
    max_age = current_app.config["KNOWN_DEVICE_DAYS"] * 86400
    try:
        data = _serializer("known-device").loads(cookie, max_age=max_age)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("a"), list) else None


def known_cookie(previous: str | None, email: str) -> str:
    """The known-device cookie after a successful sign-in to `email`'s account."""
    data = _known(previous) or {"n": secrets.token_hex(8), "a": []}
    tag = account_tag(email)
    accounts = [tag] + [t for t in data["a"] if t != tag]
    return _serializer("known-device").dumps({"n": data["n"], "a": accounts[:KNOWN_ACCOUNTS_KEPT]})


def known_device_key(cookie: str | None, email: str) -> str | None:
    """The rate-limit key of this browser for `email`'s account, if the browser has signed
    in to it before; None for a browser the account does not know."""
    data = _known(cookie)
    tag = account_tag(email) if email else ""
    if data is None or tag not in data["a"]:
        return None
    return f"{data['n']}:{tag}"


def trust(user: User, user_agent: str | None) -> str:
    """Remember this device for two-factor sign-in; returns the cookie value. Commits."""
    secret = secrets.token_urlsafe(32)
    days = current_app.config["TWO_FACTOR_DEVICE_DAYS"]
    db.session.add(TrustedDevice(user_id=user.id, token_hash=_hash(secret),
                                 device=device_label(user_agent),
                                 expires_at=utcnow() + timedelta(days=days)))
    db.session.commit()
    return _serializer("trusted-device").dumps({"u": user.id, "t": secret})


def is_trusted(user: User, cookie: str | None) -> bool:
    """Does this cookie name a remembered device of `user` that has not expired or been forgotten?"""
    if not cookie or len(cookie) > 500:
        return False
    max_age = current_app.config["TWO_FACTOR_DEVICE_DAYS"] * 86400
    try:
        data = _serializer("trusted-device").loads(cookie, max_age=max_age)
    except BadSignature:
        return False
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("t"), str):
        return False
    device = db.session.scalar(select(TrustedDevice).where(
        TrustedDevice.token_hash == _hash(data["t"]), TrustedDevice.user_id == user.id,
        TrustedDevice.expires_at > utcnow()))
    if device is None:
        return False
    device.last_used_at = utcnow()
    db.session.commit()
    return True


def trusted_devices(actor: User) -> list[TrustedDevice]:
    return list(db.session.scalars(
        select(TrustedDevice).where(TrustedDevice.user_id == actor.id,
                                    TrustedDevice.expires_at > utcnow())
        .order_by(TrustedDevice.id.desc())))


def forget(actor: User, device_id: int) -> None:
    """A member forgets one of their remembered devices: it is asked for a code again."""
    device = db.session.get(TrustedDevice, device_id)
    if device is None or device.user_id != actor.id:
        raise NotFound(_("There is no such device."))
    db.session.delete(device)
    db.session.commit()


def forget_all(user_id: int) -> None:
    """Every remembered device of a member goes (two-factor turned off, erasure). No commit."""
    db.session.execute(delete(TrustedDevice).where(TrustedDevice.user_id == user_id))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
