"""The application factory: configuration, extensions, blueprints, Socket.IO, errors."""
from __future__ import annotations

import gc
import os
import secrets
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from forum import errors, fragments, guards, health, i18n, jobs, logs, templating
from forum.config import ENV_KEYS, Config
from forum.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
from forum.session_cookie import SessionInterface

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | Mapping[str, Any] | None = None) -> Flask:
    """Build a configured Rådslag app. Never touches the database."""
    app = Flask(
        "forum",
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, config)
    logs.init_app(app)
    guards.init_app(app)
    init_extensions(app)
    register_blueprints(app)
    register_socketio(app)
    register_proxies(app)
    errors.register(app)
    templating.register(app)
    register_security_headers(app)
    from forum.cli import forum_cli

    app.cli.add_command(forum_cli)
    return app


def freeze_startup_heap() -> None:
    """Call once the app is built in a long-lived server process.

    What start-up built (modules, the app, compiled templates) lives as long as the process;
    moving it out of the collector's view keeps full garbage collections short. Unfrozen, each
    one walked ~140k objects and stalled every request and socket for 80-200 ms.
    """
    gc.collect()
    gc.freeze()


def load_config(app: Flask, override: type[Config] | Mapping[str, Any] | None) -> None:
    """Class defaults, then FORUM_* environment variables, then the override, then derived values."""
    base = override if isinstance(override, type) else Config
    app.config.from_object(base)
    for env_key, config_key in ENV_KEYS.items():
        if os.environ.get(env_key):
            app.config[config_key] = os.environ[env_key]
    if isinstance(override, Mapping):
        app.config.update(override)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        path = Path(app.instance_path) / "forum.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if app.config.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    _pool_settings(app)
    instance = Path(app.instance_path)
    app.config["JOBS_SQLITE_PATH"] = app.config.get("JOBS_SQLITE_PATH") or str(
        instance / "jobs.sqlite3")
    app.config["MAIL_OUTBOX_DIR"] = app.config.get("MAIL_OUTBOX_DIR") or str(instance / "outbox")
    if app.config["BABEL_DEFAULT_LOCALE"] not in app.config["LANGUAGES"]:
        raise ValueError(f"FORUM_DEFAULT_LANGUAGE must be one of {app.config['LANGUAGES']}")
    days = str(app.config["IP_RETENTION_DAYS"])
    if not days.isdigit() or int(days) < 1:
        raise ValueError("FORUM_IP_RETENTION_DAYS must be a whole number of days, at least 1")
    app.config["IP_RETENTION_DAYS"] = int(days)
    if app.config.get("SMTP_URL"):
        from forum.services.mail.transport import parse_smtp_url  # noqa: PLC0415

        parse_smtp_url(app.config["SMTP_URL"])  # a mistake shows at start, not at each send
    _https_settings(app)


def _pool_settings(app: Flask) -> None:
    """On PostgreSQL every process keeps DB_POOL_SIZE connections (FORUM_DB_POOL_SIZE, 15)
    and opens no more: a request or live-room event that finds them all busy waits for one.
    (SQLAlchemy's default, 5 kept + 10 more opened and closed again as needed, made a busy
    live room connect to PostgreSQL hundreds of times a second.)"""
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        return
    size = str(app.config["DB_POOL_SIZE"])
    if not size.isdigit() or int(size) < 1:
        raise ValueError("FORUM_DB_POOL_SIZE must be a whole number, at least 1")
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_size", int(size))
    options.setdefault("max_overflow", 0)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _https_settings(app: Flask) -> None:
    """FORUM_BEHIND_HTTPS: cookies only over HTTPS, https links; FORUM_TRUSTED_PROXIES: how
    many proxies in front of us add X-Forwarded-* headers (default 1 behind HTTPS, else 0)."""
    https = app.config["BEHIND_HTTPS"]
    if isinstance(https, str):
        https = https.strip().lower() in ("1", "true", "yes", "on")
    app.config["BEHIND_HTTPS"] = https
    proxies = app.config.get("TRUSTED_PROXIES")
    if proxies is None or proxies == "":
        proxies = 1 if https else 0
    if isinstance(proxies, str) and not proxies.strip().isdigit():
        raise ValueError("FORUM_TRUSTED_PROXIES must be a whole number (0 for none)")
    app.config["TRUSTED_PROXIES"] = int(proxies)
    if https:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                          PREFERRED_URL_SCHEME="https")
    site = (app.config.get("SITE_URL") or "").rstrip("/")
    app.config["SITE_URL"] = site or None
    if site and app.config.get("BASE_URL") == Config.BASE_URL:
        app.config["BASE_URL"] = site  # links in emails go to the public address too


def _instance_secret(instance: Path) -> str:
    """The secret key kept in instance/, generated on first use (never a constant in code)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: write-ahead log for concurrent readers, enforced foreign keys, patient writers,
    and a page cache of up to 32 MB a connection (filled only as pages are read; the default
    2 MB is smaller than the search index of a big forum, and FTS5 merges and searches of
    common words then read the same pages from the OS again and again)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-32000")
        cursor.close()


def init_extensions(app: Flask) -> None:
    app.session_interface = SessionInterface()  # Flask's cookie, opened for less
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    from forum.services.security.sessions import load_signed_in  # noqa: PLC0415 - models first

    login_manager.user_loader(load_signed_in)
    login_manager.id_attribute = "get_login_key"  # the session record's key, not the user id
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(ROOT / "translations"),
    )
    limiter.init_app(app)
    fragments.init_app(app)
    health.init_app(app)
    from forum import models  # noqa: F401 - registers every table and the user loader
    from forum.services import search  # noqa: F401 - the search index follows every commit
    from forum.services.webhooks import listeners  # noqa: PLC0415 - watches endpoint changes

    listeners.init_app(app)
    jobs.init_app(app)


def register_blueprints(app: Flask) -> None:
    """The URL map, in one readable list."""
    from forum.blueprints import (
        admin,
        api,
        auth,
        deliberation,
        feeds,
        health,
        home,
        live,
        mail,
        moderation,
        notifications,
        profiles,
        search,
        security,
        threads,
        topics,
    )

    for blueprint, prefix in (
        (health.bp, None),
        (home.bp, None),
        (auth.bp, None),
        (profiles.bp, None),
        (security.bp, "/account"),
        (topics.bp, None),
        (threads.bp, None),
        (moderation.bp, "/moderation"),
        (admin.bp, "/admin"),
        (live.bp, "/live"),
        (deliberation.bp, None),
        (mail.bp, None),
        (feeds.bp, None),
        (notifications.bp, None),
        (search.bp, None),
    ):
        app.register_blueprint(blueprint, url_prefix=prefix)
    api.register(app)  # /api/v1: the resources, their OpenAPI document and docs


def register_socketio(app: Flask) -> None:
    # Flask-SocketIO keeps the queue client of the previous init_app in its options; an app
    # without a queue must not inherit another app's (tests build many apps in one process).
    socketio.server_options.pop("client_manager", None)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config.get("REDIS_URL") or None,
        max_http_buffer_size=256 * 1024,
        cors_allowed_origins=[],  # no CORS headers; the namespace checks Origin itself
    )
    from forum.blueprints.deliberation.events import DeliberationNamespace
    from forum.blueprints.live.events import LiveNamespace
    from forum.blueprints.notifications.events import NotificationsNamespace

    socketio.on_namespace(LiveNamespace("/live"))
    socketio.on_namespace(DeliberationNamespace("/deliberation"))
    socketio.on_namespace(NotificationsNamespace("/notifications"))


def register_proxies(app: Flask) -> None:
    """Behind FORUM_TRUSTED_PROXIES proxies, take the client's address, scheme, host and
    port from the X-Forwarded-* headers those proxies add (and only as many as there are,
    so a client cannot pass for another address). Outermost, so Socket.IO sees it too."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)


def register_security_headers(app: Flask) -> None:
    hsts = f"max-age={app.config['HSTS_SECONDS']}" if app.config["BEHIND_HTTPS"] else None

    @app.before_request
    def _signed_in_first():
        """Load the member before the view runs (one statement), so the session record's
        "last seen" is written, when due, while the request has nothing else pending."""
        if request.endpoint != "static" and not request.path.startswith("/api/"):
            _ = current_user.is_authenticated  # (the API reads tokens only, never the cookie)

    @app.after_request
    def _headers(response):
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        response.headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
