"""The demo's JSON API client: a token for the intranet of Helsingborgs stad (Karin's), so
the README's curl example works on a fresh demo."""
from __future__ import annotations

from forum.models.accounts import User
from forum.services import accounts

DEMO_TOKEN_NAME = "Intranätet (demo)"


def add(cast: dict[str, User]) -> str:
    """A read and write token for Karin; its secret is printed once, like every token's."""
    _token, secret = accounts.create_token(cast["karin"], DEMO_TOKEN_NAME, ("read", "write"))
    return (f"API token for karin (read, write): {secret}\n"
            "  try: curl -H 'Authorization: Bearer <token>' http://127.0.0.1:5000/api/v1/me")
