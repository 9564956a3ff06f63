"""The Socket.IO namespace `/deliberation`: live results on ordinary pages.

A client emits `watch` with {"kind": "proposal", "id": N}; the server checks that the reader
may see that item, joins the socket to the room `deliberation:<kind>:<id>` and acknowledges
with a snapshot. After each committed change the server emits `tally` to that room. Each
kind is registered with `watchable(kind, find, snapshot)`: `find(viewer, id)` returns the item
or raises a DomainError (not found, forbidden); `snapshot(item)` is what watchers get, in the
same shape as later `tally` messages. Guests may watch what guests may see."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import Namespace

from forum import ids
from forum.blueprints.sockets import connecting_member
from forum.exceptions import DomainError
from forum.extensions import db, socketio
from forum.models.accounts import User
from forum.services.deliberation import proposals, results, rounds, votes
from forum.services.live import stream
from forum.services.live.sockets import SocketDirectory

NAMESPACE = "/deliberation"


@dataclass(frozen=True)
class Watchable:
    find: Callable[[Any, int], Any]
    snapshot: Callable[[Any], dict]


WATCHABLE: dict[str, Watchable] = {}


def watchable(kind: str, find: Callable[[Any, int], Any], snapshot: Callable[[Any], dict]):
    """Let clients watch items of `kind` (one registration per kind)."""
    if kind in WATCHABLE:
        raise RuntimeError(f"{kind} is already watchable")
    WATCHABLE[kind] = Watchable(find, snapshot)


def room(kind: str, item_id: int) -> str:
    return f"deliberation:{kind}:{item_id}"


def publish(kind: str, item_id: int, payload: dict) -> None:
    """Send a committed change to the item's watchers."""
    socketio.emit("tally", {"kind": kind, "id": item_id, **payload}, to=room(kind, item_id),
                  namespace=NAMESPACE)


def publish_to_live_room(wires: list[dict]) -> None:
    """Committed events of a live session's stream, from an HTTP request, to its room."""
    for wire in wires:
        socketio.emit("event", wire, to=stream.room(wire["session_id"]), namespace="/live")


watchable("proposal", proposals.for_viewer, results.tally)
watchable("round", rounds.for_viewer, votes.snapshot)


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


def answered(fn):
    """The acknowledgement protocol of the live room: one JSON object in, {"ok": true, ...}
    or {"ok": false, "error": {"code", "message"}} out; nothing a handler does stays half
    done."""

    @functools.wraps(fn)
    def handler(self, *args):
        data = args[0] if len(args) == 1 else None
        if not isinstance(data, dict):
            return _error("invalid", _("Send one JSON object with the event."))
        try:
            return {"ok": True, **fn(self, data)}
        except DomainError as err:
            db.session.rollback()
            return _error(err.code, err.message)
        except Exception:  # noqa: BLE001 - logged and acknowledged, the socket stays up
            db.session.rollback()
            current_app.logger.exception("deliberation event %s failed", fn.__name__)
            return _error("internal", _("Something went wrong on our side."))

    return handler


class DeliberationNamespace(Namespace):
    """Watchers of proposals (and other registered kinds). A browser is the Flask-Login user
    of its cookie; other clients may send {"token": ...} as the auth payload."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self.token_users: dict[str, int] = {}
        self.members: dict[str, tuple[int, int | None]] = {}  # sid -> (member, sign-in session)
        self._directory: SocketDirectory | None = None
        self._directory_checked = False

    def directory(self) -> SocketDirectory | None:
        """With Redis (several processes), where every process notes its members' sockets."""
        if not self._directory_checked:
            self._directory_checked = True
            url = current_app.config.get("REDIS_URL")
            self._directory = SocketDirectory(url, NAMESPACE) if url else None
        return self._directory

    def on_connect(self, auth=None):
        found = connecting_member(auth)  # guests may watch too
        if found is None:
            return
        if found.by_token:
            self.token_users[request.sid] = found.user.id
        self.members[request.sid] = (found.user.id, found.login_id)
        if self.directory() is not None:
            self.directory().add(found.user.id, request.sid, found.login_id)

    def on_disconnect(self, reason=None):
        self.token_users.pop(request.sid, None)
        member = self.members.pop(request.sid, None)
        if member is not None and self.directory() is not None:
            self.directory().remove(member[0], request.sid)

    def sids_of(self, user_id: int, login_id: int | None = None) -> set[str]:
        """A member's sockets: of one sign-in session, or (None) all; this process's, and
        with Redis every process's (see `SocketDirectory`)."""
        sids = {sid for sid, (uid, login) in list(self.members.items()) if uid == user_id
                and (login_id is None or login == login_id)}
        if self.directory() is not None:
            sids |= self.directory().sids_of(user_id, login_id)
        return sids

    def viewer(self):
        if request.sid in self.token_users:
            return db.session.get(User, self.token_users[request.sid])
        return current_user._get_current_object()

    def _item(self, data: dict) -> tuple[str, int, Any]:
        kind, item_id = data.get("kind"), data.get("id")
        if not isinstance(kind, str) or kind not in WATCHABLE:
            raise DomainError(_("Nothing of that kind can be watched."), code="unknown_kind")
        if not ids.is_id(item_id):
            raise DomainError(_("A number is needed."), code="invalid")
        return kind, item_id, WATCHABLE[kind].find(self.viewer(), item_id)

    @answered
    def on_watch(self, data: dict) -> dict:
        kind, item_id, item = self._item(data)
        self.enter_room(request.sid, room(kind, item_id))
        return {"snapshot": WATCHABLE[kind].snapshot(item)}

    @answered
    def on_unwatch(self, data: dict) -> dict:
        kind, item_id = data.get("kind"), data.get("id")
        if isinstance(kind, str) and kind in WATCHABLE and isinstance(item_id, int):
            self.leave_room(request.sid, room(kind, item_id))
        return {}
