"""`flask forum reindex`: the index derived again from the content, as a job."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from forum.extensions import db
from forum.models.search import SearchEntry
from forum.services import search
from forum.services.discussion import posting
from tests import factories


def _lose_the_index() -> None:
    db.session.info["search.off"] = True
    db.session.execute(delete(SearchEntry))
    db.session.commit()
    db.session.info.pop("search.off")


def test_reindex_here_prints_progress_and_rebuilds(app, runner):
    thread = factories.make_thread(title="Stadsodling")
    post = posting.reply(thread.author, thread.id, "Odlingslotter på taken.")
    _lose_the_index()
    assert search.search(None, "odlingslotter").total == 0
    result = runner.invoke(args=["forum", "reindex", "--here"])
    assert result.exit_code == 0, result.output
    assert "post: 2/2" in result.output and "Index rebuilt: 1 topic" in result.output
    assert [h.url for h in search.search(None, "odlingslotter").hits] == [f"/p/{post.id}"]


def test_reindex_runs_as_a_job_on_the_queue(app, runner, run_jobs):
    thread = factories.make_thread(title="Stadsodling på taken")
    _lose_the_index()
    result = runner.invoke(args=["forum", "reindex", "--wait", "0"])
    assert result.exit_code == 0 and "queued" in result.output
    assert db.session.scalar(select(func.count()).select_from(SearchEntry)) == 0
    assert run_jobs() == 1
    assert [h.url for h in search.search(None, "stadsodling").hits] == [f"/threads/{thread.id}"]


def test_a_rebuild_on_postgresql_leaves_fresh_statistics(app):
    """Without them the planner takes every word for a rare one (a common word then sorted
    all its matches); autovacuum would come to it later, or never where it is off."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from sqlalchemy import text
    factories.make_thread(title="Hamnens framtid")
    wiped = "DELETE FROM pg_statistic WHERE starelid = 'search_entries'::regclass"
    try:
        db.session.execute(text(wiped))
        db.session.commit()
    except Exception:  # not a superuser: cannot wipe them to see them come back
        db.session.rollback()
        pytest.skip("needs a superuser to wipe the statistics")
    search.rebuild()
    gathered = db.session.scalar(text(
        "SELECT count(*) FROM pg_stats WHERE tablename = 'search_entries' AND attname = 'document'"))
    assert gathered == 1
