"""One Alembic history builds the whole schema, and it matches the models."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db
from forum.models.search import NOT_MODELLED


def include_name(name, type_, _parents) -> bool:
    return not (type_ == "table" and name in NOT_MODELLED)  # SQLite's FTS5 tables


@pytest.fixture
def empty_database_url(tmp_path, database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_build_the_schema_and_match_the_models(empty_database_url):
    app = create_app({**{k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_upgrade_takes_the_position_from_posts_awaiting_approval(empty_database_url):
    """Threads written before 16ca1562ed9e: the pending post gives up its position, the later
    posts move up, the read mark follows, nothing is lost."""
    app = create_app({**{k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="93560622f3d9")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (id, email, display_name, password_hash, sector, organisation,"
                " title, role, created_at) VALUES (1, 'a@example.org', 'A', 'x', 'politics', '',"
                " '', 'member', CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO focus_areas (id, slug, name_sv, name_en, description_sv,"
                " description_en, position) VALUES (1, 'a', 'A', 'A', '', '', 1)"))
            conn.execute(text(
                "INSERT INTO topics (id, focus_area_id, title, framing_source, framing_html,"
                " status, featured, pinned, thread_count, post_count, last_activity_at,"
                " created_at) VALUES (1, 1, 'T', '', '', 'open', false, false, 1, 3,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO threads (id, topic_id, title, author_id, post_count, last_position,"
                " last_activity_at, pinned, locked, created_at) VALUES (1, 1, 'H', 1, 3, 4,"
                " CURRENT_TIMESTAMP, false, false, CURRENT_TIMESTAMP)"))
            for pid, position, status in ((1, 1, "published"), (2, 2, "pending"),
                                          (3, 3, "published"), (4, 4, "published")):
                conn.execute(text(
                    "INSERT INTO posts (id, thread_id, position, author_id, depth, body_source,"
                    " body_html, capacity, capacity_label, status, edit_count, created_at)"
                    " VALUES (:id, 1, :p, 1, 0, 'b', 'b', 'personal', '', :s, 0,"
                    " CURRENT_TIMESTAMP)"), {"id": pid, "p": position, "s": status})
            conn.execute(text("INSERT INTO read_marks (user_id, thread_id, last_read_position)"
                              " VALUES (1, 1, 3)"))
        upgrade()
        with db.engine.connect() as conn:
            positions = conn.execute(text("SELECT id, position FROM posts ORDER BY id")).all()
            last = conn.scalar(text("SELECT last_position FROM threads"))
            mark = conn.scalar(text("SELECT last_read_position FROM read_marks"))
        db.engine.dispose()
    assert [tuple(row) for row in positions] == [(1, 1), (2, None), (3, 2), (4, 3)]
    assert (last, mark) == (3, 2)


def test_upgrade_keeps_old_notices_readable(empty_database_url):
    """Notices written as sentences before 612b00a3a12e: those the kind alone says become
    parameter-free (worded in the reader's language from now on); the others keep their
    sentence as `params["legacy"]`."""
    import json

    app = create_app({**{k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="7c4d08b304bd")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (id, email, display_name, password_hash, sector, organisation,"
                " title, role, created_at) VALUES (1, 'a@example.org', 'A', 'x', 'politics', '',"
                " '', 'member', CURRENT_TIMESTAMP)"))
            for nid, kind, message in ((1, "flag_reviewed", "En moderator har granskat ..."),
                                       (2, "warning", "En moderator har varnat dig: Ton")):
                conn.execute(text(
                    "INSERT INTO notifications (id, user_id, kind, message, created_at)"
                    " VALUES (:id, 1, :k, :m, CURRENT_TIMESTAMP)"),
                    {"id": nid, "k": kind, "m": message})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, kind, params FROM notifications ORDER BY id")).all()
        db.engine.dispose()
    params = [row[2] if isinstance(row[2], dict) else json.loads(row[2]) for row in rows]
    assert params == [{}, {"legacy": "En moderator har varnat dig: Ton"}]


def test_upgrade_configures_fts5_merging_as_the_models_do(empty_database_url):
    if not empty_database_url.startswith("sqlite"):
        pytest.skip("FTS5 is SQLite's")
    app = create_app({**{k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            config = dict(conn.execute(text("SELECT k, v FROM search_fts_config")).all())
        db.engine.dispose()
    assert config["automerge"] == 0 and config["crisismerge"] == 64
