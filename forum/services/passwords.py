"""Password hashing (argon2) and the strength policy (length and zxcvbn's common lists)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost one argon2 check.
_DUMMY_HASH = _hasher.hash("not a real password, only spends time")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


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
