"""Every rate limit in one place (Flask-Limiter; Redis storage when FORUM_REDIS_URL is set).

Views apply these decorators; the limits themselves are configuration values. New members
(unverified, recently joined) get the tighter NEW_MEMBER_* limits. The pages and the JSON
API share them: posting through either counts against the same limit."""
from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forum.extensions import limiter


def _member_key() -> str:
    """Per member when signed in, else per address."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"ip:{get_remote_address()}"


def _limit(config_key: str):
    return lambda: current_app.config[config_key]


def _member_limit(config_key: str):
    """The member's limit: the NEW_MEMBER_ variant for new members."""
    from forum.services.discussion.policy import is_new_member  # noqa: PLC0415 - models load after app

    def value() -> str:
        user = current_user._get_current_object() if current_user else None
        key = f"NEW_MEMBER_{config_key}" if is_new_member(user) else config_key
        return current_app.config[key]

    return value


# Writes of any method count; a page's GET (the empty form) does not.
WRITES = ["POST", "PUT", "PATCH", "DELETE"]


def _shared(config_key: str, scope: str, *, per_member: bool):
    """One limit shared by every page and API route it decorates (scope), so a member has
    one budget whichever way they post."""
    value = _member_limit(config_key) if per_member else _limit(config_key)
    return limiter.shared_limit(value, scope=scope, methods=WRITES, override_defaults=False,
                                key_func=_member_key if per_member else get_remote_address)


def posting(view):
    """Replies and edits: per member and per address."""
    view = _shared("POST_LIMIT", "posting", per_member=True)(view)
    return _shared("POST_LIMIT_IP", "posting-ip", per_member=False)(view)


def thread_creation(view):
    view = _shared("THREAD_LIMIT", "threads", per_member=True)(view)
    return _shared("THREAD_LIMIT_IP", "threads-ip", per_member=False)(view)


def flagging(view):
    view = _shared("FLAG_LIMIT", "flags", per_member=True)(view)
    return _shared("FLAG_LIMIT_IP", "flags-ip", per_member=False)(view)


def _api_limit() -> str:
    return current_app.config["API_LIMIT"]


def api_requests(blueprint):
    """Every API request, per member (token) or per address: API_LIMIT. Applied to each API
    blueprint, so every answer of an API route carries the X-RateLimit headers. (The same
    provider and key each time, so applying it again for another app adds nothing.)"""
    return limiter.shared_limit(_api_limit, scope="api", key_func=_member_key)(blueprint)
