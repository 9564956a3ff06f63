"""Fixtures: app, db, client, runner, login. The database comes from FORUM_TEST_DATABASE_URL
(PostgreSQL in CI) or defaults to a SQLite file in a temporary folder."""
from __future__ import annotations

import copy
import os
import time
import weakref
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_socketio.test_client import SocketIOTestClient
from sqlalchemy import Date, DateTime, Integer, create_engine, event, func, select, text
from sqlalchemy.engine import Engine, make_url

from forum import create_app, fragments, jobs
from forum.config import TestingConfig
from forum.extensions import db as _db
from forum.extensions import limiter, socketio
from forum.jobs import huey
from forum.services.webhooks import listeners as webhook_listeners
from tests import factories

IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """A test that needs a missing service is skipped locally and fails in CI."""
    if IN_CI:
        pytest.fail(reason + " (CI must provide it)")
    pytest.skip(reason)


def _on_postgresql() -> bool:
    base = os.environ.get("FORUM_TEST_DATABASE_URL")
    return bool(base) and make_url(base).get_backend_name() == "postgresql"


def pytest_collection_modifyitems(config, items):
    """A test whose fixtures never reach the suite's database (no `database_url` among them)
    cannot behave differently on PostgreSQL, so the PostgreSQL pass leaves it to the SQLite
    pass (tests/README.md)."""
    if not _on_postgresql():
        return
    leave = [item for item in items if "database_url" not in item.fixturenames]
    if leave:
        config.hook.pytest_deselected(items=leave)
        items[:] = [item for item in items if "database_url" in item.fixturenames]


def _worker_database_url(base: str, worker: str) -> str:
    """One database per xdist worker, so parallel workers never see each other's rows."""
    url = make_url(base)
    if url.get_backend_name() != "postgresql":
        return base
    name = f"{url.database}_{worker}" if worker else url.database
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A commit waits for its WAL to reach the disk (5-8 ms on our virtual disks, tens of
        # thousands of commits a pass). The suite never stops PostgreSQL itself, so a commit
        # acknowledged before that flush is visible to every connection all the same (server
        # processes killed by the tests included); only a crash of PostgreSQL could lose it.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    base = os.environ.get("FORUM_TEST_DATABASE_URL")
    if base:
        return _worker_database_url(base, worker)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'forum-test.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url) -> Iterator[None]:
    """Create the schema once per test session (and drop it at the end)."""
    app = create_app(_config(database_url))
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        _db.engine.dispose()
    yield
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


# Every engine a test connected with: the app fixture's, and those of the other apps tests
# build (a second process's view, another setting). An app dropped with connections still in
# its pool leaves them open until the collector finds them (psycopg then warns).
_engines_used: weakref.WeakSet = weakref.WeakSet()
event.listen(Engine, "engine_connect", lambda connection: _engines_used.add(connection.engine))


@pytest.fixture(autouse=True)
def _close_connections_after_each_test() -> Iterator[None]:
    yield
    for engine in list(_engines_used):
        engine.dispose()
    _engines_used.clear()


@pytest.fixture(scope="session")
def jobs_path(tmp_path_factory) -> str:
    """The job queue's SQLite file for this test session (one per xdist worker)."""
    return str(tmp_path_factory.mktemp("jobs") / "jobs.sqlite3")


def _config(database_url: str, **extra) -> dict:
    config = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    config.update({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None,
                   "RATELIMIT_STORAGE_URI": "memory://", **extra})
    return config


@pytest.fixture
def app_config(database_url, jobs_path, tmp_path) -> dict:
    """The settings the `app` fixture builds its app from (a test may change them first)."""
    return _config(database_url, JOBS_SQLITE_PATH=jobs_path,
                   MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))


# Building the app costs about 0.8 s of CPU (URL rules, the OpenAPI document), more than most
# tests. Each xdist worker keeps the last app it built and hands it to the next test that asks
# for the same settings, reset to how create_app left it.
_PER_TEST_KEYS = ("MAIL_OUTBOX_DIR",)
_last: dict = {}


def _settings_key(config: dict) -> str:
    return repr(sorted((k, repr(v)) for k, v in config.items() if k not in _PER_TEST_KEYS))


def _app_for(config: dict):
    """A fresh app, or the last one when its settings match and no other app has been built
    since (create_app binds process-wide objects: the Socket.IO server and the job queue)."""
    key = _settings_key(config)
    app = _last.get("app")
    if (app is None or _last["key"] != key or socketio.server is not _last["server"]
            or len(app.url_map._rules) != _last["rules"] or not _sockets_untouched()):
        SocketIOTestClient.clients.clear()
        _forget_last()
        app = create_app(config)
        _last.update(app=app, key=key, server=socketio.server, rules=len(app.url_map._rules),
                     config=copy.deepcopy(dict(app.config)))
        return app
    app.config.clear()
    app.config.update(copy.deepcopy(_last["config"]))
    app._got_first_request = False  # a test may add a route of its own (rebuilt after it)
    app.config.update({k: config[k] for k in _PER_TEST_KEYS})
    jobs.init_app(app)  # the queue's mode and storage, as this app's settings say
    # caches kept per process start empty: ids are reused once a test's rows are gone
    fragments.init_app(app)
    webhook_listeners.init_app(app)
    limiter.reset()
    return app


def _forget_last() -> None:
    """Let the kept app go, with every database connection it still holds closed."""
    old = _last.pop("app", None)
    _last.clear()
    if old is not None:
        with old.app_context():
            _db.engine.dispose()


def _sockets_untouched() -> bool:
    """True while no socket has left state in the namespace objects (who is connected, a
    process's first-socket work, an outbox): those belong to one server process, so a test
    that used them gets a fresh app after it."""
    if SocketIOTestClient.clients:  # the test clients of earlier tests (never emptied)
        return False
    for handler in socketio.server.namespace_handlers.values():
        for name, value in vars(handler).items():
            if name in ("socketio", "server", "namespace") or name.endswith("_lock"):
                continue
            if isinstance(value, (dict, set, list, deque, bool)) and value:
                return False
    return True


def _uses_sockets(request) -> bool:
    """Tests that drive Socket.IO in process (their module imports the server, or they use the
    live room's client) get an app of their own: its namespaces hold one process's state."""
    return "live_client" in request.fixturenames or hasattr(request.module, "socketio")


def _track_background_tasks(patch: pytest.MonkeyPatch) -> list:
    """The Socket.IO background tasks started during a test (a delayed presence broadcast or
    outbox send), for the app fixture to wait for. One left running would wake in a later
    test, take a connection from this app's pool after the pool was disposed (the app is then
    dropped with that connection still open) and send into the later test's sockets."""
    started: list = []
    start = socketio.start_background_task

    def track(target, *args, **kwargs):
        task = start(target, *args, **kwargs)
        started.append(task)
        return task

    patch.setattr(socketio, "start_background_task", track)
    return started


def _wait_for(tasks: list, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    for task in tasks:
        task.join(max(0.0, deadline - time.monotonic()))
    running = [task for task in tasks if task.is_alive()]
    assert not running, f"background tasks still running {timeout:.0f} s after the test"


@pytest.fixture
def app(app_config, _schema, request):
    if _uses_sockets(request):
        _forget_last()
    app = _app_for(app_config)
    # A patch of its own: the test's `monkeypatch` must be undone before this teardown (a
    # test that swaps the job storage for a broken one would break the flush below).
    own = pytest.MonkeyPatch()
    request.addfinalizer(own.undo)
    tasks = _track_background_tasks(own)
    with app.app_context():
        yield app
        _wait_for(tasks)  # before the tables are emptied and the pool is disposed
        _db.session.rollback()
        _db.session.remove()
        _clear_tables()
        _db.session.remove()
        _db.engine.dispose()
    if not huey.immediate:
        huey.flush()  # no job of this test is left for the next one


@pytest.fixture
def run_jobs(app):
    """run_jobs() runs the queued jobs here, through Huey's own execution, as a worker would
    (from the real SQLite storage). Retries scheduled for later run at once; their delays
    still grow as in production. Returns how many runs there were."""

    def run(limit: int = 200) -> int:
        later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=30)
        runs = 0
        while runs < limit:
            task = huey.dequeue()
            if task is None:
                due = huey.read_schedule(later)
                if not due:
                    break
                for scheduled in due:
                    huey.enqueue(scheduled)
                continue
            huey.execute(task, later)
            runs += 1
        _db.session.expire_all()
        return runs

    return run


def _clear_tables() -> None:
    """Empty every table (fast on both databases; circular keys are why FKs are paused)."""
    tables = _db.metadata.sorted_tables
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _clear_postgresql(conn, tables)
            return
        conn.execute(text("PRAGMA defer_foreign_keys=ON"))
        for table in reversed(tables):
            conn.execute(table.delete())


@pytest.fixture
def db(app):
    return _db


class RequestScopedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does. Without this, requests
    would share the fixture's app context and its `g` (signed-in user, locale, permission
    facts) and could pass where production would fail."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()  # the test's own session reads what the request stored
        return response


@pytest.fixture
def client(app):
    app.test_client_class = RequestScopedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """login(user) signs `client` in as that member (factories use a known password)."""

    def sign_in(user, password: str = factories.PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return sign_in


# The demo forum, seeded once per worker: the rows, the mail it left in the outbox, what the
# command printed, when, and the settings it was seeded under.
_demo: dict = {}


@pytest.fixture
def demo_forum(app, app_config) -> str:
    """The demo forum (`forum seed --demo`) in this test's database; returns what the command
    printed. A worker seeds it once (10-30 s on PostgreSQL) and copies the rows and the outbox's
    mail into the later tests that ask for it, every time moved on by the time since the seed,
    so each test starts from a forum as new as a fresh seed (the jobs the seed queued are not
    copied: tests of those run the command themselves)."""
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    key = _settings_key(app_config)
    if _demo.get("key") != key:
        _demo.clear()
        result = app.test_cli_runner().invoke(args=["forum", "seed", "--demo"])
        assert result.exit_code == 0, result.output
        with _db.engine.connect() as conn:
            rows = {t.name: [dict(r._mapping) for r in conn.execute(t.select())]
                    for t in _db.metadata.sorted_tables}
        mail = {p.name: p.read_bytes() for p in outbox.glob("*.eml")}
        _demo.update(key=key, output=result.output, at=datetime.now(UTC), rows=rows, mail=mail)
        return result.output
    _copy_rows(_demo["rows"], datetime.now(UTC) - _demo["at"])
    outbox.mkdir(parents=True, exist_ok=True)
    for name, data in _demo["mail"].items():
        (outbox / name).write_bytes(data)
    return _demo["output"]


def _copy_rows(rows: dict, later: timedelta) -> None:
    days = (datetime.now(UTC).date() - _demo["at"].date())
    session = _db.session
    postgresql = session.get_bind().dialect.name == "postgresql"
    session.execute(text("SET LOCAL session_replication_role = replica" if postgresql
                         else "PRAGMA defer_foreign_keys=ON"))
    for table in _db.metadata.sorted_tables:
        if not rows[table.name]:
            continue
        moved = [c.name for c in table.columns if isinstance(c.type, DateTime)]
        dated = [c.name for c in table.columns if isinstance(c.type, Date)]
        copies = []
        for row in rows[table.name]:
            row = dict(row)
            for name in moved:
                row[name] = row[name] and row[name] + later
            for name in dated:
                row[name] = row[name] and row[name] + days
            copies.append(row)
        session.execute(table.insert(), copies)
        (pk,) = table.primary_key.columns if len(table.primary_key.columns) == 1 else (None,)
        if postgresql and pk is not None and isinstance(pk.type, Integer):
            session.execute(select(func.setval(func.pg_get_serial_sequence(
                table.name, pk.name), func.max(pk))).where(
                func.pg_get_serial_sequence(table.name, pk.name).is_not(None)))
    session.commit()


def _clear_postgresql(conn, tables) -> None:
    """Delete the rows of the tables that have any (TRUNCATE of all 57 tables took 0.7-1 s per
    test), with foreign keys paused for the circular ones, and start every id sequence again."""
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    filled = set(conn.scalars(text(probe)))
    if filled:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(tables):
            if table.name in filled:
                conn.execute(table.delete())
    conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                      "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"))
