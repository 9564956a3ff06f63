"""`forum backup` while members post, `forum restore` into an empty database: every row that
was committed before the backup began comes back exactly, the rest is consistent, and the
restored forum serves its pages and hands out fresh ids. On the suite's database (SQLite, or
PostgreSQL with pg_dump/pg_restore in CI)."""
from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.extensions import db as _db
from forum.models.accounts import User
from forum.models.discussion import Post, PostStatus, Thread, Topic
from forum.models.live import LiveEvent, LiveSession, SessionStatus
from forum.models.moderation import ModerationAction
from forum.services import accounts, demo, seeding
from forum.services.discussion import posting
from forum.services.moderation import modlog
from tests import factories

WRITERS = 3


def _rows(url: str) -> dict[str, dict[tuple, tuple]]:
    """Every table of the schema, as {primary key: row}, read on a connection of its own."""
    engine = create_engine(url)
    tables = {}
    with engine.connect() as connection:
        for table in _db.metadata.sorted_tables:
            key = [c.name for c in table.primary_key.columns]
            tables[table.name] = {tuple(row._mapping[k] for k in key): tuple(row)
                                  for row in connection.execute(select(table))}
    engine.dispose()
    return tables


class Writers:
    """Members replying in their own threads through the service, until told to stop. Each
    remembers the ids of the replies that were committed, in order."""

    def __init__(self, app, user_ids: list[int], thread_ids: list[int]) -> None:
        self.app, self.stop = app, threading.Event()
        self.committed: list[list[int]] = [[] for _ in user_ids]
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._write, args=(i, u, t), daemon=True)
                        for i, (u, t) in enumerate(zip(user_ids, thread_ids, strict=True))]

    def _write(self, i: int, user_id: int, thread_id: int) -> None:
        try:
            with self.app.app_context():
                user = _db.session.get(User, user_id)
                while not self.stop.is_set():
                    post = posting.reply(user, thread_id, f"Writer {i}, reply "
                                                          f"{len(self.committed[i]) + 1}")
                    self.committed[i].append(post.id)
        except BaseException as err:  # noqa: BLE001 - reported by the test
            self.errors.append(err)

    def wait_for(self, each: int) -> None:
        """Until every writer has committed at least `each` replies (or one failed)."""
        while not self.errors and min(len(c) for c in self.committed) < each:
            self.stop.wait(0.01)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


@pytest.fixture
def empty_target(database_url, tmp_path, app_config):
    """The settings of an app on a new, empty database of the suite's kind (PostgreSQL:
    created here); `["SQLALCHEMY_DATABASE_URI"]` is its URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}
        return
    name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield {**app_config,
           "SQLALCHEMY_DATABASE_URI": url.set(database=name).render_as_string(hide_password=False)}
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _restore_into(config: dict, path: Path):
    """`forum restore PATH` as an operator runs it against the database `config` names."""
    target = create_app(config)
    with target.app_context():  # the CLI uses the current app: this one, not the suite's
        result = target.test_cli_runner().invoke(args=["forum", "restore", str(path)])
        _db.session.remove()
        _db.engine.dispose()
    return result


def _populated_forum() -> tuple[list[int], list[int], int]:
    """The demo forum (members, threads, posts with revisions, moderation log, live sessions
    with events) and a topic with one thread per writer."""
    seeding.ensure_focus_areas()
    demo.add_demo_content()
    topic = factories.make_topic(title="Writers' corner")
    users = [factories.make_user(verified=True) for _ in range(WRITERS)]
    threads = [factories.make_thread(topic, user) for user in users]
    return [u.id for u in users], [t.id for t in threads], topic.id


def test_backup_while_members_post_restores_row_for_row(app, db, runner, database_url,
                                                       empty_target, tmp_path):
    user_ids, thread_ids, topic_id = _populated_forum()
    path = tmp_path / "forum.backup"
    with Writers(app, user_ids, thread_ids) as writers:
        writers.wait_for(3)
        before = _rows(database_url)
        result = runner.invoke(args=["forum", "backup", str(path)])
        during = [len(c) for c in writers.committed]
        writers.wait_for(max(during) + 3)  # they went on writing after the backup too
    assert writers.errors == [] and result.exit_code == 0, (writers.errors, result.output)
    after = _rows(database_url)
    assert path.stat().st_mode & 0o077 == 0  # the backup holds password hashes: owner only

    restored_run = _restore_into(empty_target, path)
    assert restored_run.exit_code == 0, restored_run.output
    restored = _rows(empty_target["SQLALCHEMY_DATABASE_URI"])

    for table in ("users", "threads", "posts", "revisions", "moderation_actions",
                  "live_sessions", "live_events", "flags"):
        assert before[table], f"the demo forum has no {table}"
    changing = {("threads", (t,)) for t in thread_ids} | {("topics", (topic_id,))}
    for table, rows in restored.items():
        assert set(before[table]) <= set(rows) <= set(after[table]), table
        for key, row in rows.items():
            if (table, key) not in changing:
                assert row == after[table][key], (table, key)
                assert key not in before[table] or row == before[table][key], (table, key)
    _assert_consistent(restored, user_ids, thread_ids, topic_id, writers.committed)


def _assert_consistent(rows, user_ids, thread_ids, topic_id, committed) -> None:
    """Counters equal a recount from the restored rows; each writer's replies are a prefix
    of what it committed (a snapshot cannot hold a later reply without the earlier ones)."""
    columns = {name: [c.name for c in _db.metadata.tables[name].columns]
               for name in ("posts", "threads", "topics")}
    posts = [dict(zip(columns["posts"], r, strict=True)) for r in rows["posts"].values()]
    for i, thread_id in enumerate(thread_ids):
        mine = sorted((p for p in posts if p["thread_id"] == thread_id), key=lambda p: p["id"])
        replies = [p["id"] for p in mine if p["position"] > 1]
        assert replies == committed[i][:len(replies)], f"writer {i}'s replies have a gap"
        thread = dict(zip(columns["threads"], rows["threads"][(thread_id,)], strict=True))
        published = [p for p in mine if p["status"] == PostStatus.PUBLISHED.value]
        assert thread["post_count"] == len(published)
        assert thread["last_position"] == max(p["position"] for p in mine)
        assert thread["last_post_id"] == mine[-1]["id"]
    topic = dict(zip(columns["topics"], rows["topics"][(topic_id,)], strict=True))
    assert topic["post_count"] == sum(1 for p in posts if p["thread_id"] in thread_ids)


def test_the_restored_forum_serves_its_pages_and_gives_fresh_ids(app, db, runner,
                                                                empty_target, tmp_path):
    _populated_forum()
    path = tmp_path / "forum.backup"
    assert runner.invoke(args=["forum", "backup", str(path)]).exit_code == 0
    assert _restore_into(empty_target, path).exit_code == 0
    target = create_app(empty_target)
    with target.app_context():
        highest = {model: _db.session.scalar(select(func.max(model.id)))
                   for model in (User, Thread, Post, ModerationAction, LiveEvent)}
        thread = _db.session.scalar(select(Thread).order_by(Thread.id))
        live = _db.session.scalar(select(LiveSession).where(
            LiveSession.status == SessionStatus.LIVE))
        web = target.test_client()
        for url in ("/", f"/threads/{thread.id}?page=1", "/moderation/log", f"/live/{live.id}",
                    f"/topics/{thread.topic_id}", "/healthz"):
            assert web.get(url).status_code == 200, url
        member = accounts.register("after.restore@example.org", "Efter-Aterlasning-Hamn-9",
                                   accounts.Profile("After Restore", "politics"), confirmed=True)
        topic = _db.session.get(Topic, thread.topic_id)
        new_thread = posting.start_thread(member, topic.id, "After the restore", "First words")
        reply = posting.reply(member, thread.id, "A reply after the restore")
        entry = modlog.record(None, "note", "thread", new_thread.id)
        event = LiveEvent(session_id=live.id, seq=live.last_seq + 1, type="chat",
                          data={"body": "after"})
        _db.session.add(event)
        _db.session.commit()
        for model, row in ((User, member), (Thread, new_thread), (Post, reply),
                           (ModerationAction, entry), (LiveEvent, event)):
            assert row.id > highest[model], model.__name__
        _db.session.remove()
        _db.engine.dispose()


def test_restore_refuses_a_database_that_holds_data(app, db, runner, tmp_path):
    seeding.ensure_focus_areas()
    factories.make_thread()
    path = tmp_path / "forum.backup"
    assert runner.invoke(args=["forum", "backup", str(path)]).exit_code == 0
    posts = db.session.scalar(select(func.count(Post.id)))
    result = runner.invoke(args=["forum", "restore", str(path)])
    assert result.exit_code != 0
    assert "already holds data" in result.output and "--force" in result.output
    db.session.remove()
    assert db.session.scalar(select(func.count(Post.id))) == posts


def test_restore_with_force_replaces_the_content(app, db, runner, tmp_path):
    seeding.ensure_focus_areas()
    factories.make_thread(title="In the backup")
    path = tmp_path / "forum.backup"
    assert runner.invoke(args=["forum", "backup", str(path)]).exit_code == 0
    factories.make_thread(title="After the backup")
    db.session.remove()
    result = runner.invoke(args=["forum", "restore", "--force", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Thread.title)).all() == ["In the backup"]


def test_restore_refuses_a_file_that_is_no_backup(app, db, runner, tmp_path):
    path = Path(tmp_path / "notes.txt")
    path.write_text("not a backup")
    result = runner.invoke(args=["forum", "restore", str(path)])
    assert result.exit_code != 0 and "is not a backup made by `forum backup`" in result.output
