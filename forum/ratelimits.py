"""Every rate limit in one place (Flask-Limiter; Redis storage when FORUM_REDIS_URL is set).

Views apply these decorators; the limits themselves are configuration values."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user

from forum.extensions import limiter


def _member_key() -> str:
    """Per member when signed in, else per address."""
    from flask_limiter.util import get_remote_address

    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"ip:{get_remote_address()}"


def _limit(config_key: str):
    return lambda: current_app.config[config_key]


def posting(view):
    """Replies and edits: per member and per address."""
    view = limiter.limit(_limit("POST_LIMIT"), key_func=_member_key, methods=["POST"])(view)
    return limiter.limit(_limit("POST_LIMIT_IP"), methods=["POST"])(view)


def thread_creation(view):
    view = limiter.limit(_limit("THREAD_LIMIT"), key_func=_member_key, methods=["POST"])(view)
    return limiter.limit(_limit("THREAD_LIMIT_IP"), methods=["POST"])(view)


def flagging(view):
    return limiter.limit(_limit("FLAG_LIMIT"), key_func=_member_key, methods=["POST"])(view)
