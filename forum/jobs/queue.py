"""The task queue: one Huey instance, its storage chosen from the app's config, the registry
of jobs, and the rule that a job is handed to the queue only once the data it needs is
committed.

SQLite storage (a file, `JOBS_SQLITE_PATH`) by default; Redis storage when `REDIS_URL` is set.
Nothing here touches a file or the network at import or in `init_app`: the storage connects
on first use.
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab, signals
from huey.api import Task, TaskWrapper
from huey.storage import BaseStorage, RedisStorage, SqliteStorage
from huey.utils import normalize_time
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.extensions import db

QUEUE_NAME = "radslag"
PERIODIC_RETRIES = 2  # periodic jobs run again at their next time anyway
PERIODIC_RETRY_DELAY = 60

log = logging.getLogger(__name__)

__all__ = ["Job", "crontab", "queue_state", "find", "huey", "init_app", "periodic", "task"]


class _NotBound(BaseStorage):
    """Storage of a queue no app has configured yet: every use says so."""

    def _refuse(self, *args, **kwargs):
        raise RuntimeError("the job queue has no storage: create_app() binds it")

    enqueue = dequeue = add_to_schedule = read_schedule = queue_size = schedule_size = _refuse
    put_data = peek_data = pop_data = has_data_for_key = put_if_empty = _refuse


class _SqliteQueue(SqliteStorage):
    """Huey's SQLite storage, creating its file and tables when it first connects rather
    than when it is built (so building an app has no side effect)."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename=filename, create_tables=False, timeout=10)

    def _create_connection(self):
        Path(self.filename).parent.mkdir(parents=True, exist_ok=True)
        conn = super()._create_connection()
        for statement in self.ddl:
            conn.execute(statement)
        return conn


huey = Huey(QUEUE_NAME, results=False, utc=True, storage_class=_NotBound)
_jobs: dict[str, Job] = {}
_bound: dict[str, Any] = {"app": None, "storage_key": None}


def init_app(app: Flask) -> None:
    """Bind the queue to `app`: its storage, immediate mode, and the app each job runs in.
    The worker and every web process build the same storage from the same settings."""
    _bound["app"] = app
    huey.immediate = bool(app.config["JOBS_IMMEDIATE"])
    if not huey.immediate:
        key = _storage_key(app.config)
        if key != _bound["storage_key"]:
            huey.storage = _build_storage(*key)
            _bound["storage_key"] = key
    else:
        _bound["storage_key"] = None
    from forum.jobs.registry import import_task_modules  # noqa: PLC0415 - modules use this one

    import_task_modules()


def _storage_key(config) -> tuple[str, str]:
    if config.get("REDIS_URL"):
        return "redis", config["REDIS_URL"]
    return "sqlite", config["JOBS_SQLITE_PATH"]


def _build_storage(kind: str, location: str) -> BaseStorage:
    if kind == "redis":
        return RedisStorage(QUEUE_NAME, url=location, blocking=True, read_timeout=1)
    return _SqliteQueue(QUEUE_NAME, location)


def bound_app() -> Flask:
    """The app jobs run in: the one `create_app` bound last (in a worker, its only app)."""
    app = _bound["app"]
    if app is None:
        raise RuntimeError("the job queue is not bound to an app")
    return app


class Job:
    """A function that runs on the queue, in an app context of its own. Call it to run it
    here and now; `enqueue` hands it to a worker once the caller's transaction commits."""

    def __init__(self, func: Callable, wrapper: TaskWrapper, retries: int | None) -> None:
        functools.update_wrapper(self, func)
        self.func, self.wrapper, self.retries = func, wrapper, retries
        self.name = f"{func.__module__}.{func.__name__}"

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Job {self.name}>"

    def enqueue(self, *args, **kwargs) -> None:
        """Run on a worker soon. Arguments must be plain JSON values (ids, not rows)."""
        _submit(self.build(args, kwargs))

    def enqueue_at(self, when: datetime, *args, **kwargs) -> None:
        """Run on a worker at `when` (an aware datetime) or soon after."""
        if when.tzinfo is None:
            raise ValueError("enqueue_at needs an aware datetime")
        _submit(self.build(args, kwargs, eta=normalize_time(eta=when, utc=True)))

    def build(self, args: tuple, kwargs: dict, eta: datetime | None = None) -> Task:
        """The Huey task for one run, with the retry policy in force."""
        try:
            json.dumps([args, kwargs])
        except TypeError as err:
            raise TypeError(f"{self.name}: job arguments must be JSON values ({err})") from err
        config = _config()
        return self.wrapper.task_class(
            args, kwargs, eta=eta, retries=self.retry_count(),
            retry_delay=config["JOBS_RETRY_DELAY"], retry_backoff=config["JOBS_RETRY_BACKOFF"])

    def retry_count(self) -> int:
        """How many times a run is retried after its first failure."""
        return _config()["JOBS_RETRIES"] if self.retries is None else self.retries


def _config():
    return (current_app if has_app_context() else bound_app()).config


def _in_app_context(func: Callable) -> Callable:
    @functools.wraps(func)
    def run(*args, **kwargs):
        with bound_app().app_context():
            return func(*args, **kwargs)

    return run


def task(*, retries: int | None = None) -> Callable[[Callable], Job]:
    """Make a function a job. It is retried with growing delays (`JOBS_RETRIES`,
    `JOBS_RETRY_DELAY`, `JOBS_RETRY_BACKOFF`, unless `retries` is given); when the last
    attempt fails, the failure is recorded for admins (`/admin/jobs`)."""

    def register(func: Callable) -> Job:
        return _register(Job(func, huey.task(name=func.__name__)(_in_app_context(func)),
                             retries))

    return register


def periodic(when: crontab, *, retries: int = PERIODIC_RETRIES) -> Callable[[Callable], Job]:
    """Make a function a job the worker's scheduler starts at the times `when` (a Huey
    `crontab`, in UTC) names. The module must be listed in `forum.jobs.registry`."""

    def register(func: Callable) -> Job:
        wrapper = huey.periodic_task(when, retries=retries, retry_delay=PERIODIC_RETRY_DELAY,
                                     retry_backoff=2, name=func.__name__)(_in_app_context(func))
        return _register(Job(func, wrapper, retries))

    return register


def _register(job: Job) -> Job:
    _jobs[job.name] = job  # Huey has already refused a second job of the same name
    return job


def find(name: str) -> Job | None:
    """The job registered under `name` (module path and function name)."""
    return _jobs.get(name)


# --- handing tasks to the storage after the commit ------------------------------------------

_PENDING = "forum.jobs.pending"
_WROTE = "forum.jobs.wrote"


def _submit(job_task: Task) -> None:
    """Queue now if nothing uncommitted could be rolled back; otherwise after the commit."""
    session = db.session() if has_app_context() else None
    if session is not None and _has_uncommitted_writes(session):
        session.info.setdefault(_PENDING, []).append(job_task)
    else:
        _put(job_task)


def _has_uncommitted_writes(session: Session) -> bool:
    return session.in_transaction() and bool(
        session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def _put(job_task: Task) -> None:
    """Hand one task to the storage. A storage that is down is logged, never raised: the
    request that asked for the job has already done its work."""
    try:
        huey.enqueue(job_task)
    except Exception:
        log.exception("could not queue job %s; it is lost", type(job_task).__name__)


@event.listens_for(Session, "after_flush")
def _note_flush(session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _queue_committed(session) -> None:
    for job_task in session.info.pop(_PENDING, ()):
        _put(job_task)


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session, transaction) -> None:
    if transaction.parent is None:
        dropped = session.info.pop(_PENDING, ())
        session.info.pop(_WROTE, None)
        if dropped:
            log.info("%d job(s) dropped with a rolled-back transaction", len(dropped))


@huey.signal(signals.SIGNAL_INTERRUPTED)
def _requeue_interrupted(_signal, job_task) -> None:
    """A worker that stops in the middle of a job puts it back, to run again in full."""
    log.warning("job %s interrupted by a stopping worker; queued again", job_task.id)
    huey.enqueue(job_task)


def queue_state() -> dict[str, Any]:
    """How many jobs wait now and how many are scheduled for later (None: storage down)."""
    kind = (_bound["storage_key"] or ("memory", ""))[0]
    try:
        return {"storage": kind, "pending": huey.pending_count(),
                "scheduled": huey.scheduled_count()}
    except Exception:
        log.exception("could not read the job queue")
        return {"storage": kind, "pending": None, "scheduled": None}
