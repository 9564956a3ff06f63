"""Who is calling the API: a personal access token (`Authorization: Bearer rds_...`) or no
one. The session cookie is never read under /api/, so a browser's signed-in session cannot
be used to write through the API (no cross-site request forgery), and every service, rule,
rate limit and language choice sees the token's member as the current user.

Scopes are the API's only rule of its own: a read needs `read`, a member's write `write`, a
moderator's action `moderate`; what the member may do is then decided by the permissions
package, exactly as for the pages."""
from __future__ import annotations

import functools

from flask import current_app, g, request
from flask_babel import gettext as _

from forum.blueprints.api.problems import ApiProblem, in_api
from forum.models.accounts import Scope
from forum.permissions.core import is_member
from forum.services import accounts

SCOPE_ATTRIBUTE = "_api_scope"  # the scope a view needs, read by the docs and the tests


def authenticate() -> None:
    """Runs first for every request under /api/ (before the rate limiter, whose keys name
    the member): sets the request's user from the bearer token, or to an anonymous user."""
    if not in_api():
        return
    g.api_token = None
    header = request.headers.get("Authorization")
    user = current_app.login_manager.anonymous_user()
    if header is not None:
        scheme, _sep, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            _set_user(user)
            raise ApiProblem("unauthorized", _("Use 'Authorization: Bearer' with a personal "
                                               "access token."), code="bad_authorization")
        token = accounts.token_for_secret(secret.strip())
        if token is None:
            _set_user(user)
            raise ApiProblem("invalid-token", _("The access token is not valid."),
                             code="invalid_token",
                             headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        g.api_token, user = token, token.user
    _set_user(user)


def _set_user(user) -> None:
    # Flask-Login keeps the request's user in g._login_user and loads it from the session
    # only when that is missing: setting it here keeps the session cookie unread.
    g._login_user = user


def needs(scope: Scope, *, signed_in: bool = False):
    """The view needs `scope`. Without a token, reads of public content pass (unless
    `signed_in`); writes and moderator actions need a token."""

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            check_scope(scope, signed_in=signed_in)
            return view(*args, **kwargs)

        setattr(checked, SCOPE_ATTRIBUTE, scope)
        return checked

    return decorate


def check_scope(scope: Scope, *, signed_in: bool = False) -> None:
    token = g.get("api_token")
    if token is None:
        if scope == Scope.READ and not signed_in:
            return
        raise ApiProblem("unauthorized", _("This needs a personal access token with the "
                                           "'%(scope)s' scope.", scope=scope.value))
    if not token.allows(scope):
        raise ApiProblem("insufficient-scope", _("This token lacks the '%(scope)s' scope.",
                                                 scope=scope.value), code="insufficient_scope",
                         headers={"WWW-Authenticate":
                                  f'Bearer error="insufficient_scope", scope="{scope.value}"'})


def caller():
    """The member the token belongs to, or the anonymous user."""
    return g._login_user


def member():
    """The calling member; a view that needs one has already required a token."""
    user = caller()
    if not is_member(user):
        raise ApiProblem("unauthorized")
    return user
