"""Health checks for /healthz: a named list per app, so a feature that brings a service (the
job queue) adds its own check next to the database's and Redis's. A check returns when the
service answers and raises when it does not; what it raised is logged, never shown."""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import text

from forum.extensions import db

log = logging.getLogger(__name__)
Check = Callable[[], None]
_KEY = "forum.health"


def add_check(app: Flask, name: str, check: Check) -> None:
    """Have /healthz ask `check` too (a later call with the same name replaces it)."""
    app.extensions.setdefault(_KEY, {})[name] = check


def run_checks() -> dict[str, bool]:
    """Each configured check's answer: True when its service is up."""
    results = {}
    for name, check in current_app.extensions.get(_KEY, {}).items():
        try:
            check()
            results[name] = True
        except Exception as err:  # noqa: BLE001 - any failure means "down"; the log says why
            log.warning("health check %s failed: %s: %s", name, type(err).__name__, err)
            results[name] = False
    return results


def database() -> None:
    """One round trip on a connection of the app's pool."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def redis_check(url: str) -> Check:
    """PING, on a client that gives up after two seconds rather than hang the probe."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return lambda: client.ping()


def init_app(app: Flask) -> None:
    add_check(app, "database", database)
    if app.config.get("REDIS_URL"):
        add_check(app, "redis", redis_check(app.config["REDIS_URL"]))
