"""The Socket.IO namespace `/notifications`: a member's open pages hear of new notices at
once. The connection is made for one member (the session cookie of a page of this site, or
`{"token": ...}` for other clients) and joins their room; the server sends `notice` when a
notice is added and `unread` when the count changes because they read something. There is
nothing to call: the namespace only listens (see docs/live-protocol.md)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_socketio import ConnectionRefusedError, Namespace

from forum.blueprints.sockets import connecting_member
from forum.services.notifications import push


class NotificationsNamespace(Namespace):
    def __init__(self, namespace: str = push.NAMESPACE) -> None:
        super().__init__(namespace)
        self.members: dict[str, tuple[int, int | None]] = {}  # sid -> (member, sign-in)

    def on_connect(self, auth=None):
        found = connecting_member(auth)
        if found is None:
            raise ConnectionRefusedError({"code": "unauthorized",
                                          "message": _("Please sign in to get notifications.")})
        self.members[request.sid] = (found.user.id, found.login_id)
        self.enter_room(request.sid, push.room(found.user.id))

    def on_disconnect(self, reason=None):
        self.members.pop(request.sid, None)

    def sids_of(self, user_id: int, login_id: int | None = None) -> set[str]:
        """This process's sockets of a member (of one sign-in session, or all), so signing
        out or a suspension closes them (forum.services.live.sockets)."""
        return {sid for sid, (uid, login) in list(self.members.items()) if uid == user_id
                and (login_id is None or login == login_id)}
