"""Plain functions that insert rows for test setup, with unique defaults."""
from __future__ import annotations

import itertools

from forum.extensions import db
from forum.models.accounts import Role, Sector, User
from forum.models.base import utcnow
from forum.services import passwords

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_password_hash: str | None = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = passwords.hash_password(PASSWORD)
    return _password_hash


def make_user(*, role: Role = Role.MEMBER, sector: Sector = Sector.POLITICS,
              verified: bool = False, **overrides) -> User:
    n = next(_counter)
    fields = {
        "email": f"member{n}@example.org",
        "display_name": f"Member {n}",
        "organisation": "Helsingborgs stad",
        "title": "Kommunalråd",
        "password_hash": _hash(),
    }
    fields.update(overrides)
    user = User(role=role, sector=sector, verified_at=utcnow() if verified else None, **fields)
    db.session.add(user)
    db.session.commit()
    return user


def make_moderator(**overrides) -> User:
    return make_user(role=Role.MODERATOR, **overrides)


def make_admin(**overrides) -> User:
    return make_user(role=Role.ADMIN, **overrides)
