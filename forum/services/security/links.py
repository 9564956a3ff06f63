"""Signed links sent by email: what they carry, how long they hold, and why one is refused.

A link is an itsdangerous token (signed with the secret key, with the time it was made),
one salt per purpose, so a confirmation link can never pass for a reset link."""
from __future__ import annotations

import enum
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class Refusal(enum.StrEnum):
    EXPIRED = "expired"
    INVALID = "invalid"  # tampered with, cut short, or made for something else
    USED = "used"


class LinkRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def make(purpose: str, data: dict[str, Any]) -> str:
    return URLSafeTimedSerializer(current_app.secret_key, salt=purpose).dumps(data)


def read(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """The data of a token made for `purpose` no more than `max_age` seconds ago, or
    `LinkRefused` saying why not."""
    if not isinstance(token, str) or len(token) > 500:
        raise LinkRefused(Refusal.INVALID)
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt=purpose)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired as err:
        raise LinkRefused(Refusal.EXPIRED) from err
    except BadSignature as err:
        raise LinkRefused(Refusal.INVALID) from err
    if not isinstance(data, dict):
        raise LinkRefused(Refusal.INVALID)
    return data
