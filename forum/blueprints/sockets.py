"""What the Socket.IO namespaces check when a socket connects: that it comes from a page of
this forum, and which member (if any) opens it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError

from forum.models.accounts import User
from forum.services import accounts
from forum.services.security import sessions
from forum.services.security.origins import origin_allowed


def refuse_foreign_origin() -> None:
    """Sockets opened from another site's pages are refused (see services/security/origins)."""
    if not origin_allowed(request.headers.get("Origin"), request.host_url):
        raise ConnectionRefusedError(
            _("Connections are accepted only from pages of this forum."),
            {"code": "bad_origin"})


@dataclass(frozen=True)
class Connecting:
    user: User
    login_id: int | None  # the sign-in session of a cookie; None for a token
    by_token: bool


def connecting_member(auth) -> Connecting | None:
    """Who opens the socket: the member of a `{"token": ...}` auth payload (a token that is not
    valid is refused) or of the session cookie; None for a guest. Checks the origin first."""
    refuse_foreign_origin()
    if isinstance(auth, dict) and auth.get("token"):
        user = accounts.user_for_token(auth["token"])
        if user is None:
            raise ConnectionRefusedError({"code": "bad_token",
                                          "message": _("The access token is not valid.")})
        return Connecting(user, None, by_token=True)
    if current_user.is_authenticated:
        return Connecting(current_user._get_current_object(), sessions.current_id(),
                          by_token=False)
    return None
