"""Pushing notices to the member's open pages over Socket.IO (namespace `/notifications`,
room `notifications:<member id>`), once the transaction that wrote them has committed.

Each message is worded in its recipient's language just before the commit (while the
session can still read), and sent only after it: a rolled-back notice is never announced.
With several server processes or a separate worker, the Socket.IO message queue (Redis)
carries the message to whichever process holds the member's sockets.
"""
from __future__ import annotations

import logging

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.extensions import db, socketio
from forum.models.accounts import User
from forum.services.notifications import reading

NAMESPACE = "/notifications"
_NOTICES = "forum.notices.push"
_COUNTS = "forum.notices.counts"
_READY = "forum.notices.ready"

log = logging.getLogger(__name__)


def room(user_id: int) -> str:
    return f"notifications:{user_id}"


def notice_soon(note) -> None:
    """Announce `note` after the commit."""
    db.session.info.setdefault(_NOTICES, []).append(note)


def count_soon(user_id: int) -> None:
    """Tell the member's pages their unread count after the commit (they read something)."""
    db.session.info.setdefault(_COUNTS, set()).add(user_id)


def wire(note, unread: int) -> dict:
    """The `notice` message: the notice in the current locale and the new unread count."""
    shown = reading.view(note)
    return {"id": note.id, "kind": note.kind, "text": shown.text, "link": shown.link,
            "open": f"/notifications/{note.id}/open", "unread": unread,
            "created_at": note.created_at.isoformat()}


@event.listens_for(Session, "before_commit")
def _prepare(session) -> None:
    notes = session.info.pop(_NOTICES, None)
    counts = session.info.pop(_COUNTS, None) or set()
    if not notes and not counts or not has_app_context():
        return
    session.flush()
    ready = []
    for note in notes or ():
        if note.id is None or note not in session:
            continue
        user = session.get(User, note.user_id)
        with reading.speaking(reading.language_of(user)):
            unread = reading.unread_count(note.user_id)
            ready.append(("notice", note.user_id, wire(note, unread)))
        counts.discard(note.user_id)
    for user_id in sorted(counts):
        ready.append(("unread", user_id, {"unread": reading.unread_count(user_id)}))
    session.info[_READY] = ready


@event.listens_for(Session, "after_commit")
def _send(session) -> None:
    ready = session.info.pop(_READY, ())
    if not ready or socketio.server is None:
        return
    for name, user_id, payload in ready:
        try:
            socketio.emit(name, payload, to=room(user_id), namespace=NAMESPACE)
        except Exception:  # noqa: BLE001 - the notice is stored; the page sees it on reload
            log.exception("could not push a notice to member %s", user_id)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:
        for key in (_NOTICES, _COUNTS, _READY):
            session.info.pop(key, None)
