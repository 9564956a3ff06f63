"""Jobs that finally failed: recorded when a job's last attempt fails (a hook the worker
runs), listed for admins, and queued again by an admin."""
from __future__ import annotations

import logging
import traceback

from flask_babel import gettext as _
from sqlalchemy import select

from forum import jobs
from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.jobs import FailedJob
from forum.permissions import Action, require

log = logging.getLogger(__name__)


@jobs.huey.post_execute()
def _record_final_failure(task, _value, exception) -> None:
    """Huey calls this after every run; a run that failed with no retries left is kept."""
    if exception is None or task.retries:
        return
    name = f"{type(task).__module__}.{type(task).__name__}"
    log.error("job %s (%s) failed for the last time: %r", name, task.id, exception)
    try:
        with jobs.bound_app().app_context():
            record_failure(name, list(task.args), dict(task.kwargs), exception)
    except Exception:
        log.exception("could not record the failure of job %s", task.id)


def record_failure(name: str, args: list, kwargs: dict, error: BaseException) -> FailedJob:
    """Keep a job that used up its retries, with its error, for admins to see."""
    job = jobs.find(name)
    attempts = 1 + (job.retry_count() if job is not None else 0)
    row = FailedJob(task=name, args=args, kwargs=kwargs, attempts=attempts,
                    error=repr(error)[:2000], traceback=_traceback_of(error))
    db.session.add(row)
    db.session.commit()
    return row


def _traceback_of(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))[-20_000:]


def failed_jobs(actor: User, limit: int = 100) -> list[FailedJob]:
    """The latest failed jobs, newest first (admins only)."""
    require(actor, Action.MANAGE_JOBS)
    return list(db.session.scalars(select(FailedJob).order_by(FailedJob.id.desc()).limit(limit)))


def retry(actor: User, failed_id: int) -> FailedJob:
    """Queue a failed job again, with a fresh set of retries; each failed run is retried
    once (a new failure is a new row)."""
    require(actor, Action.MANAGE_JOBS)
    row = db.session.get(FailedJob, failed_id)
    if row is None:
        raise NotFound(_("There is no such failed job."))
    if row.retried_at is not None:
        raise Conflict(_("This job has already been queued again."))
    job = jobs.find(row.task)
    if job is None:
        raise InvalidInput(_("This kind of job no longer exists, so it cannot run again."))
    row.retried_at, row.retried_by_id = utcnow(), actor.id
    job.enqueue(*row.args, **row.kwargs)
    db.session.commit()
    return row


def queue_state(actor: User) -> dict:
    """Where the queue is kept and how many jobs wait in it (admins only)."""
    require(actor, Action.MANAGE_JOBS)
    return jobs.queue_state()
