"""Backups of the whole database taken while the forum runs, and restoring one into an empty
database. SQLite: the online backup API copies one consistent snapshot in a single step
(writers go on meanwhile, in WAL mode). PostgreSQL: `pg_dump --format=custom` reads one
snapshot; `pg_restore` brings it back, sequences included. The file is written under a
temporary name, readable by its owner only, and renamed into place when complete.

The database is not all of the state: instance/secret_key (unless FORUM_SECRET_KEY is set)
signs sessions and must be kept beside the backup (docs/production.md)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import URL, make_url

from forum.exceptions import Conflict, InvalidInput
from forum.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def backup(path: Path) -> str:
    """Write a consistent snapshot of the configured database to `path`; say what was written."""
    path = Path(path)
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give the name of the backup file.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    try:
        if _backend() == "sqlite":
            _sqlite_backup(_sqlite_path(), partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", f"--dbname={_libpq_uri()}"])
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return f"Backup of the {_backend()} database written to {path} ({path.stat().st_size} bytes)."


def restore(path: Path, *, force: bool = False) -> str:
    """Bring a backup back into the configured database, which must hold no rows (a freshly
    created or migrated one) unless `force` is given; say which schema revision it holds."""
    path = Path(path)
    kind = _kind_of(path)
    if kind != _backend():
        raise InvalidInput(f"{path} is a {kind} backup, but the configured database is "
                           f"{_backend()}.")
    if not force and not is_empty():
        raise Conflict("The database already holds data; restoring would replace it. Restore "
                       "into an empty database, or give --force to replace its content.")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old content
    if kind == "sqlite":
        _sqlite_restore(path, _sqlite_path())
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", "--clean", "--if-exists", f"--dbname={_libpq_uri()}",
              str(path)])
    return f"Restored {path} (schema revision {schema_revision() or 'unknown'})."


def is_empty() -> bool:
    """No forum table of the configured database holds a row (missing tables count as empty)."""
    existing = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in existing and connection.scalar(select(1).select_from(table).limit(1)):
                return False
    return True


def schema_revision() -> str | None:
    """The Alembic revision the database is at (None before any migration)."""
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _backend() -> str:
    return db.engine.url.get_backend_name()


def _kind_of(path: Path) -> str:
    if not path.is_file():
        raise InvalidInput(f"There is no backup file at {path}.")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise InvalidInput(f"{path} is not a backup made by `forum backup`.")


def _sqlite_path() -> str:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise InvalidInput("An in-memory SQLite database cannot be backed up or restored.")
    return database


def _sqlite_backup(source: str, target: Path) -> None:
    """One step (pages=-1): the copy is a single read transaction, so it is consistent."""
    if not Path(source).is_file():  # sqlite3 would create it, and back up nothing
        raise InvalidInput(f"There is no SQLite database at {source}.")
    with _closing(sqlite3.connect(source, timeout=30)) as src, \
            _closing(sqlite3.connect(target)) as dst:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise InvalidInput("The copy did not pass SQLite's check; nothing was written.")


def _sqlite_restore(backup_file: Path, target: str) -> None:
    with _closing(sqlite3.connect(backup_file)) as src:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise InvalidInput(f"{backup_file} is damaged (SQLite's check failed).")
        with _closing(sqlite3.connect(target, timeout=30)) as dst:
            src.backup(dst, pages=-1)
    engine = create_engine(f"sqlite:///{target}")  # the WAL mode the app expects
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    engine.dispose()


class _closing:
    """sqlite3 connections as context managers that close (theirs only commit)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *_exc) -> None:
        self.connection.close()


def _libpq_uri() -> str:
    """The database URL as pg_dump reads it, without the password (that goes in PGPASSWORD,
    so it never shows in the process list)."""
    url: URL = make_url(db.engine.url).set(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise InvalidInput(f"{command[0]} is not installed (Debian: apt-get install "
                           "postgresql-client).")
    env = dict(os.environ)
    if db.engine.url.password:
        env["PGPASSWORD"] = str(db.engine.url.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InvalidInput(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
