"""Closing a member's live-room sockets when their session ends, they are suspended or their
account is erased. A socket may be held by any server process: `disconnect` reaches the
process that holds it through the Socket.IO message queue (Redis) when there are several."""
from __future__ import annotations

import logging

from sqlalchemy import select

from forum.extensions import db, socketio
from forum.models.live import Connection

log = logging.getLogger(__name__)

NAMESPACE = "/live"
# Watchers with no presence rows: each namespace knows its sockets (`sids_of`), in every
# process when it keeps them in a `SocketDirectory`.
OTHER_NAMESPACES = ("/deliberation", "/notifications")


class SocketDirectory:
    """A namespace's sockets per member, in Redis, so that any server process can find (and
    close, through the Socket.IO queue) a socket another process holds. One hash per member:
    socket id -> its sign-in session record ("" for an access token). Entries go when the
    socket disconnects; a process that dies leaves its entries until the hash expires
    (closing a socket nobody holds any more does nothing)."""

    TTL = 2 * 24 * 3600  # seconds; renewed whenever the member connects again

    def __init__(self, url: str, namespace: str) -> None:
        import redis  # noqa: PLC0415 - only with several processes

        self.redis = redis.Redis.from_url(url, socket_timeout=5)
        self.prefix = f"forum:sockets:{namespace}:"

    def add(self, user_id: int, sid: str, login_id: int | None) -> None:
        key = self.prefix + str(user_id)
        self._quietly(lambda: self.redis.pipeline().hset(key, sid, login_id or "")
                      .expire(key, self.TTL).execute())

    def remove(self, user_id: int, sid: str) -> None:
        self._quietly(lambda: self.redis.hdel(self.prefix + str(user_id), sid))

    def sids_of(self, user_id: int, login_id: int | None = None) -> set[str]:
        entries = self._quietly(lambda: self.redis.hgetall(self.prefix + str(user_id))) or {}
        return {sid.decode() for sid, login in entries.items()
                if login_id is None or login.decode() == str(login_id)}

    @staticmethod
    def _quietly(call):
        try:
            return call()
        except Exception:  # noqa: BLE001 - Redis away: this process's own sockets still close
            log.exception("socket directory unavailable")
            return None


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
