"""The index rebuild as a job (`flask forum reindex` queues it and shows its progress), and
the periodic tidying of the index (FTS5 segments, the GIN pending list)."""
from __future__ import annotations

import logging

from forum import jobs
from forum.services.search.index import merge_segments, rebuild

log = logging.getLogger(__name__)


def progress_key(run_id: str) -> str:
    return f"forum.search.reindex.{run_id}"


@jobs.task(retries=1)
def rebuild_index(run_id: str = "") -> dict[str, int]:
    """Derive the whole index again; progress goes to the queue's storage under the run's
    key, for the command that asked to read."""

    def note(kind: str, done: int, total: int) -> None:
        log.info("reindex %s: %d/%d", kind, done, total)
        if run_id:
            jobs.huey.put(progress_key(run_id), {"kind": kind, "done": done, "total": total})

    counts = rebuild(note)
    if run_id:
        jobs.huey.put(progress_key(run_id), {"finished": counts})
    return counts


@jobs.periodic(jobs.crontab(minute="*/5"))
def merge_index() -> int:
    """Tidy the index after the writes since the last run (SQLite: merge FTS5 segments;
    PostgreSQL: empty the GIN pending list), so no request pays for it."""
    work = merge_segments()
    if work:
        log.info("search index tidied: %d", work)
    return work
