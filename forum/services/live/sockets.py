"""Closing a member's live-room sockets when their session ends, they are suspended or their
account is erased. A socket may be held by any server process: `disconnect` reaches the
process that holds it through the Socket.IO message queue (Redis) when there are several."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db, socketio
from forum.models.live import Connection

NAMESPACE = "/live"
OTHER_NAMESPACES = ("/deliberation", "/notifications")  # read-only watchers: only this process's are known


def close(user_id: int, login_session_id: int | None = None) -> int:
    """Close the member's open sockets: those that came with one sign-in session, or with
    `login_session_id` None all of them (access-token sockets too). Call after the commit
    that ended the session or suspended the member. Returns how many were asked to close.

    Sockets in a room are found in the presence rows (every process writes them); sockets of
    this process that joined no room yet are found in its namespace. A socket of another
    process that joined no room is refused when it tries to join (see `LiveNamespace`)."""
    query = select(Connection.sid).where(Connection.user_id == user_id)
    if login_session_id is not None:
        query = query.where(Connection.login_session_id == login_session_id)
    sids = set(db.session.scalars(query))
    server = socketio.server
    if server is None:
        return 0
    namespace = server.namespace_handlers.get(NAMESPACE)
    if namespace is not None and hasattr(namespace, "sids_of"):
        sids |= namespace.sids_of(user_id, login_session_id)
    for sid in sids:
        server.disconnect(sid, namespace=NAMESPACE)
    closed = len(sids)
    for name in OTHER_NAMESPACES:
        handler = server.namespace_handlers.get(name)
        for sid in handler.sids_of(user_id, login_session_id) if handler is not None else ():
            server.disconnect(sid, namespace=name)
            closed += 1
    return closed
