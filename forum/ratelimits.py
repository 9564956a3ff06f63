"""Every rate limit in one place (Flask-Limiter; Redis storage when FORUM_REDIS_URL is set).

Views apply these decorators; the limits themselves are configuration values. New members
(unverified, recently joined) get the tighter NEW_MEMBER_* limits. The pages and the JSON
API share them: posting through either counts against the same limit. Sign-in limits
spare the member's own browser (see `_sign_in_limits` and docs/production.md)."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request, session
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


def search(view):
    """Searches, by page or API: SEARCH_LIMIT per member (or address), one budget for both."""
    return limiter.shared_limit(_limit("SEARCH_LIMIT"), scope="search",
                                key_func=_member_key, override_defaults=False)(view)


def _failed(response) -> bool:
    """Only failed attempts count: a success redirects."""
    return response.status_code != 302


def _posted_email() -> str:
    return request.form.get("email", "").strip().lower()[:254]


def _pending_email() -> str:
    """The account a half-done sign-in (password right, code still to come) is for."""
    pending = session.get("pending_login")
    return pending.get("e", "") if isinstance(pending, dict) else ""


def _sign_in_limits(view, account: Callable[[], str], address_limit: str, account_limit: str):
    """Failed attempts count per address and per account, except from a browser that has
    signed in to that account before (the known-device cookie): there they count against
    that browser's own limit. So an attacker hammering an account from elsewhere slows
    themselves down, and the member still gets in from their own browser (or by a reset
    link). Each window expires on its own; nothing locks an account for good."""
    from forum.services.security import devices  # noqa: PLC0415 - models load after app

    def device_key() -> str | None:
        return devices.known_device_key(request.cookies.get(devices.KNOWN_COOKIE), account())

    def known() -> bool:
        return device_key() is not None

    view = limiter.limit(_limit(address_limit), methods=["POST"], deduct_when=_failed,
                         exempt_when=known)(view)
    view = limiter.limit(_limit(account_limit), methods=["POST"], deduct_when=_failed,
                         key_func=lambda: "account:" + account(), exempt_when=known)(view)
    return limiter.limit(_limit(address_limit), methods=["POST"], deduct_when=_failed,
                         key_func=lambda: "device:" + (device_key() or ""),
                         exempt_when=lambda: not known())(view)


def sign_in(view):
    """The password step: LOGIN_FAILURE_LIMIT per address (and per known browser),
    LOGIN_ACCOUNT_LIMIT per account."""
    return _sign_in_limits(view, _posted_email, "LOGIN_FAILURE_LIMIT", "LOGIN_ACCOUNT_LIMIT")


def two_factor(view):
    """The code step: TWO_FACTOR_FAILURE_LIMIT wrong codes per address and per account."""
    return _sign_in_limits(view, _pending_email, "TWO_FACTOR_FAILURE_LIMIT",
                           "TWO_FACTOR_FAILURE_LIMIT")


def registration(view):
    """New accounts per address (only successful registrations count)."""
    return limiter.limit(_limit("REGISTER_LIMIT"), methods=["POST"],
                         deduct_when=lambda r: r.status_code == 302)(view)




def _api_limit() -> str:
    return current_app.config["API_LIMIT"]


def api_requests(blueprint):
    """Every API request, per member (token) or per address: API_LIMIT. Applied to each API
    blueprint, so every answer of an API route carries the X-RateLimit headers. (The same
    provider and key each time, so applying it again for another app adds nothing.)"""
    return limiter.shared_limit(_api_limit, scope="api", key_func=_member_key)(blueprint)


def password_reset(view):
    """Reset requests: PASSWORD_RESET_LIMIT per address, PASSWORD_RESET_EMAIL_LIMIT per email
    address asked about (every request counts, whether the address is a member's or not)."""
    view = limiter.limit(_limit("PASSWORD_RESET_EMAIL_LIMIT"), methods=["POST"],
                         key_func=lambda: "reset-email:" + _posted_email())(view)
    return limiter.limit(_limit("PASSWORD_RESET_LIMIT"), methods=["POST"])(view)


def confirmation_resend(view):
    """"Send the confirmation link again": CONFIRM_RESEND_LIMIT per member."""
    return limiter.limit(_limit("CONFIRM_RESEND_LIMIT"), methods=["POST"],
                         key_func=_member_key)(view)
