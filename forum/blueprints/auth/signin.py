"""The steps of signing in that the views share: password accepted, code still to come,
sign-in complete (new session record, cookies). Also the cookies' common settings."""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user

from forum.models.accounts import User
from forum.permissions.core import needs_two_factor_setup
from forum.services.security import devices, sessions

PENDING = "pending_login"
PENDING_SECONDS = 600  # the code must follow the password within ten minutes


def set_cookie(response, name: str, value: str, days: int) -> None:
    """A lasting cookie for this site only: HTTP-only, SameSite=Lax, Secure behind HTTPS."""
    response.set_cookie(name, value, max_age=days * 86400, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def password_accepted(user: User, remember: bool, next_url: str | None):
    """The password was right: sign in now, or first ask for the second factor (unless this
    browser is a remembered device of the member)."""
    if user.has_two_factor and not devices.is_trusted(
            user, request.cookies.get(devices.TRUSTED_COOKIE)):
        session.clear()
        session[PENDING] = {"u": user.id, "e": user.email, "r": bool(remember),
                            "n": next_url, "t": int(time.time())}
        return redirect(url_for("auth.two_factor_step"))
    return complete(user, remember, next_url)


def pending() -> dict | None:
    """The half-done sign-in of this browser, if it is recent enough."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or time.time() - state.get("t", 0) > PENDING_SECONDS:
        return None
    return state


def complete(user: User, remember: bool, next_url: str | None, *, trust_device: bool = False):
    """Both factors given: a new session (nothing of the browser's session before carries
    over), the known-device cookie, and the remembered-device cookie if asked for."""
    session.clear()
    sessions.sign_in(user, remember=remember, user_agent=request.user_agent.string,
                     address=request.remote_addr)
    login_user(user, remember=remember)
    if needs_two_factor_setup(user):
        flash(_("Your role requires two-factor sign-in. Set it up now to act as a moderator "
                "or admin."), "info")
        next_url = url_for("security.two_factor_setup")
    response = redirect(next_url or url_for("home.index"))
    set_cookie(response, devices.KNOWN_COOKIE,
               devices.known_cookie(request.cookies.get(devices.KNOWN_COOKIE), user.email),
               current_app.config["KNOWN_DEVICE_DAYS"])
    if trust_device:
        set_cookie(response, devices.TRUSTED_COOKIE,
                   devices.trust(user, request.user_agent.string),
                   current_app.config["TWO_FACTOR_DEVICE_DAYS"])
    return response


def after_reset(user: User):
    """A reset link set a new password: sign this browser in, or (with two-factor sign-in)
    go on to the code step, as after the password."""
    return password_accepted(user, False, None)


def renewed(user: User, renewal: sessions.Renewal) -> None:
    """After a password change or 2FA on/off: this browser carries the session's new key."""
    keep = {k: session[k] for k in ("_fresh",) if k in session}
    session.clear()
    session.update(keep)
    login_user(user, remember=renewal.remember)
