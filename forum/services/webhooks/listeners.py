"""Which active endpoints listen for each kind of event, kept in each process, so `emit` costs
no query when nobody listens (the common case: most forums have no webhooks).

Every committed change to an endpoint's URL list, kinds or switch (made through the ORM, in
any process) replaces a shared stamp: a Redis key when FORUM_REDIS_URL is set, else a small
file beside the job queue's SQLite file (which every process of one forum shares already).
A process reads the stamp on each `emit` (a Redis GET or a read of a few bytes) and reloads
its map only when the stamp is not the one it loaded with. A stamp that cannot be read means
a plain query, as before."""
from __future__ import annotations

import logging
import os
import secrets
import threading
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from forum.extensions import db
from forum.models.webhooks import WebhookEndpoint

log = logging.getLogger(__name__)
REDIS_KEY = "forum:webhooks:stamp"
STAMP_FILE = "webhooks.stamp"
_WATCHED = ("url", "kinds", "active")
_CHANGED = "forum.webhooks.endpoints_changed"


class Listeners:
    """This process's map kind → endpoint ids, with the stamp it was loaded under."""

    def __init__(self) -> None:
        self._stamp: str | None = None
        self._by_kind: dict[str, list[int]] = {}
        self._lock = threading.Lock()
        self.loads = 0  # how often the map was read from the database (for tests)

    def for_kind(self, kind: str) -> list[int]:
        stamp = read_stamp()
        if stamp is None:  # no stamp to trust: ask the database every time
            return _load().get(kind, [])
        with self._lock:
            if stamp != self._stamp:
                # the stamp is read before the rows: a change committed meanwhile leaves a
                # newer stamp behind, so the next emit loads again
                self._by_kind, self._stamp = _load(), stamp
                self.loads += 1
            return self._by_kind.get(kind, [])


def _load() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for endpoint_id, kinds in db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.kinds)
            .where(WebhookEndpoint.active).order_by(WebhookEndpoint.id)):
        for kind in kinds or ():
            found.setdefault(kind, []).append(endpoint_id)
    return found


def listeners() -> Listeners:
    return current_app.extensions["forum.webhook_listeners"]


# --- The shared stamp ---------------------------------------------------------------------

def _redis():
    client = current_app.extensions.get("forum.webhook_stamp_redis")
    if client is None:
        import redis  # noqa: PLC0415 - only with FORUM_REDIS_URL

        client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2,
                                      socket_connect_timeout=2)
        current_app.extensions["forum.webhook_stamp_redis"] = client
    return client


def _stamp_path() -> Path:
    return Path(current_app.config["JOBS_SQLITE_PATH"]).with_name(STAMP_FILE)


def read_stamp() -> str | None:
    """The current stamp; "" while nothing was ever changed; None if it cannot be read."""
    try:
        if current_app.config.get("REDIS_URL"):
            value = _redis().get(REDIS_KEY)
            return value.decode() if value else ""
        return _stamp_path().read_text()
    except FileNotFoundError:
        return ""
    except Exception:  # noqa: BLE001 - a stamp we cannot read only costs a query
        log.warning("webhook endpoint stamp unreadable; querying instead", exc_info=True)
        return None


def bump_stamp() -> None:
    """Say that endpoints changed: every process reloads on its next emit."""
    stamp = secrets.token_hex(16)
    try:
        if current_app.config.get("REDIS_URL"):
            _redis().set(REDIS_KEY, stamp)
            return
        path = _stamp_path()
        temporary = path.with_name(f"{STAMP_FILE}.{os.getpid()}.{stamp}")
        temporary.write_text(stamp)
        os.replace(temporary, path)  # readers see the old stamp or the new, never half
    except Exception:  # noqa: BLE001
        log.exception("webhook endpoint stamp not replaced; other processes may miss a change")


# --- Noticing changes ---------------------------------------------------------------------

def _changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in _WATCHED)


@event.listens_for(Session, "after_flush")
def _note_changes(session, _context) -> None:
    endpoints = [o for o in session.new | session.deleted if isinstance(o, WebhookEndpoint)]
    if endpoints or any(isinstance(o, WebhookEndpoint) and _changed(o) for o in session.dirty):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        bump_stamp()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, _previous) -> None:
    if not session.in_transaction():  # the outermost transaction is gone (not a savepoint)
        session.info.pop(_CHANGED, None)


def init_app(app) -> None:
    app.extensions["forum.webhook_listeners"] = Listeners()
