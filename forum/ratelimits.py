"""Every rate limit in one place (Flask-Limiter; Redis storage when FORUM_REDIS_URL is set).

Views apply these decorators; the limits themselves are configuration values. New members
(unverified, recently joined) get the tighter NEW_MEMBER_* limits."""
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


def posting(view):
    """Replies and edits: per member and per address."""
    view = limiter.limit(_member_limit("POST_LIMIT"), key_func=_member_key, methods=["POST"])(view)
    return limiter.limit(_limit("POST_LIMIT_IP"), methods=["POST"])(view)


def thread_creation(view):
    view = limiter.limit(_member_limit("THREAD_LIMIT"), key_func=_member_key,
                         methods=["POST"])(view)
    return limiter.limit(_limit("THREAD_LIMIT_IP"), methods=["POST"])(view)


def flagging(view):
    view = limiter.limit(_member_limit("FLAG_LIMIT"), key_func=_member_key, methods=["POST"])(view)
    return limiter.limit(_limit("FLAG_LIMIT_IP"), methods=["POST"])(view)
