"""Password hashing (argon2) and the strength policy (length and zxcvbn's common lists)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

_hashers: dict[tuple[int, int], tuple[PasswordHasher, str]] = {}


def _hasher() -> tuple[PasswordHasher, str]:
    """The argon2 hasher for the configured cost, and a dummy hash made with it: verified
    against when an email is unknown, so both sign-in misses cost the same."""
    cost = (current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_KIB"])
    if cost not in _hashers:
        hasher = PasswordHasher(time_cost=cost[0], memory_cost=cost[1])
        _hashers[cost] = (hasher, hasher.hash("not a real password, only spends time"))
    return _hashers[cost]


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher, dummy = _hasher()
    try:
        return hasher.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher()[0].check_needs_rehash(stored_hash)


def password_problem(password: str, *, related: tuple[str, ...] = ()) -> str | None:
    """Why this password is not acceptable, or None. `related` are the member's own words."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("The password must be at least %(n)s characters long.", n=minimum)
    if len(password) > 256:
        return _("The password may be at most 256 characters long.")
    verdict = zxcvbn(password[:100], user_inputs=[w for w in related if w])
    if verdict["score"] < 2:
        return _("This password is too common or too easy to guess. "
                 "Try a few unrelated words together.")
    return None
