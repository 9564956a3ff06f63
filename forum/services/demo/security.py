"""Demo sign-in security: Anna has also signed in on her phone and her work laptop, so her
security page (/account/security) lists sessions she can end. Nobody holds these sessions'
keys (only hashes are stored), so they sign no one in."""
from __future__ import annotations

import secrets
from datetime import timedelta

from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.security import LoginSession
from forum.services.security.sessions import key_hash

DEVICES = (("Mobile Safari 17, iOS", "198.51.100.0/24", timedelta(hours=3)),
           ("Edge 128, Windows", "192.0.2.0/24", timedelta(days=2)))


def add(cast: dict[str, User]) -> str:
    now = utcnow()
    for device, network, ago in DEVICES:
        db.session.add(LoginSession(
            user_id=cast["anna"].id, key_hash=key_hash(secrets.token_urlsafe(32)), device=device,
            ip_prefix=network, remember=True, created_at=now - ago - timedelta(days=1),
            last_seen_at=now - ago, expires_at=now + timedelta(days=20)))
    db.session.commit()
    return f"Demo sessions: {len(DEVICES)} for anna (see /account/security)."
