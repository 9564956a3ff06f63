"""The index's upkeep: on SQLite writes never merge FTS5 segments (a merge on a big index
cost a reply ~40 ms every 16th reply) and the periodic job does; on PostgreSQL the job
empties the GIN pending list. Results stay the same."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from forum.extensions import db
from forum.jobs import registry
from forum.models.search import FTS_MERGING, FTS_TABLE
from forum.services import search
from forum.services.discussion import posting
from forum.services.search import jobs as search_jobs
from tests import factories


@pytest.fixture
def sqlite(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("FTS5 segments are SQLite's")


def _config() -> dict[str, int]:
    return dict(db.session.execute(text(f"SELECT k, v FROM {FTS_TABLE}_config")).all())


def test_writes_do_not_merge_and_crises_wait_for_64_segments(sqlite):
    assert _config()["automerge"] == 0
    assert _config()["crisismerge"] == 64
    assert FTS_MERGING == {"automerge": 0, "crisismerge": 64}


def test_the_merge_job_merges_what_replies_left_and_results_stay(sqlite):
    search_jobs.merge_index()  # what earlier tests left (up to 64 segments a level)
    thread = factories.make_thread(title="Hamnens framtid")
    posts = [posting.reply(thread.author, thread.id, f"Badplatser vid kajen, förslag {n}.")
             for n in range(6)]
    found = {h.url for h in search.search(None, "badplatser", per_page=50).hits}
    assert found == {f"/p/{p.id}" for p in posts}
    assert search_jobs.merge_index() > 0  # six segments, one per commit: work to do
    assert search_jobs.merge_index() == 0  # and none left
    assert {h.url for h in search.search(None, "badplatser", per_page=50).hits} == found
    assert "forum.services.search.jobs" in registry.TASK_MODULES


def test_on_postgresql_the_job_empties_the_gin_pending_list(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    thread = factories.make_thread(title="Hamnens framtid")
    post = posting.reply(thread.author, thread.id, "Badplatser vid kajen.")
    assert search_jobs.merge_index() > 0  # the new entries waited in the pending list
    assert search_jobs.merge_index() == 0
    assert {h.url for h in search.search(None, "badplatser").hits} == {f"/p/{post.id}"}
