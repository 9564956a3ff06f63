"""The queue in one process: jobs wait for the commit, a broken storage never reaches the
caller, failures are retried with growing delays and finally recorded, periodic jobs are
scheduled by crontab."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from huey.storage import BaseStorage
from sqlalchemy import func, select

from forum import create_app, jobs
from forum.models.accounts import Sector, User
from forum.models.jobs import FailedJob
from tests import factories
from tests.jobs import tasks


def _member_row(n: int) -> User:
    return User(email=f"queue{n}@example.org", display_name="Q", sector=Sector.POLITICS,
                password_hash="x")


def test_a_job_queued_inside_a_transaction_waits_for_the_commit(app, db, tmp_path):
    db.session.add(_member_row(1))
    tasks.note.enqueue(str(tmp_path / "trace"), "after commit")
    assert jobs.huey.pending_count() == 0
    db.session.commit()
    assert jobs.huey.pending_count() == 1


def test_a_job_queued_with_data_that_is_rolled_back_is_dropped(app, db, tmp_path):
    db.session.add(_member_row(2))
    db.session.flush()
    tasks.note.enqueue(str(tmp_path / "trace"), "never")
    db.session.rollback()
    db.session.commit()
    assert jobs.huey.pending_count() == 0


def test_a_job_queued_after_an_update_statement_waits_for_the_commit(app, db, tmp_path):
    member = factories.make_user()
    db.session.execute(User.__table__.update().where(User.id == member.id).values(title="X"))
    tasks.note.enqueue(str(tmp_path / "trace"), "after commit")
    assert jobs.huey.pending_count() == 0
    db.session.commit()
    assert jobs.huey.pending_count() == 1


def test_a_job_queued_when_nothing_was_written_goes_at_once(app, db, tmp_path, run_jobs):
    factories.make_user()
    db.session.scalar(select(func.count(User.id)))  # a read opens a transaction
    tasks.note.enqueue(str(tmp_path / "trace"), "now")
    assert jobs.huey.pending_count() == 1
    assert run_jobs() == 1
    assert (tmp_path / "trace").read_text() == "now\n"


def test_a_job_queued_for_later_waits_until_its_time(app, db, tmp_path, run_jobs):
    trace = tmp_path / "trace"
    tasks.note.enqueue_at(datetime.now(UTC) + timedelta(hours=2), str(trace), "later")
    jobs.huey.execute(jobs.huey.dequeue())  # what a worker does now: put it on the schedule
    assert not trace.exists() and jobs.huey.scheduled_count() == 1
    soon = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)
    assert jobs.huey.read_schedule(soon) == []
    assert run_jobs() == 1 and trace.read_text() == "later\n"  # run_jobs looks days ahead
    with pytest.raises(ValueError, match="aware"):
        tasks.note.enqueue_at(datetime(2030, 1, 1), "x", "y")


def test_job_arguments_must_be_plain_values(app, db):
    with pytest.raises(TypeError, match="JSON"):
        tasks.note.enqueue(factories.make_user(), "a row is not an argument")


class _Down(BaseStorage):
    def enqueue(self, data, priority=None):
        raise ConnectionError("queue storage is down")


def test_a_storage_that_is_down_is_logged_and_the_request_still_succeeds(
        app, db, client, login, caplog, monkeypatch):
    admin = login(factories.make_admin())
    failed = FailedJob(task=tasks.note.name, args=["/dev/null", "x"], kwargs={}, attempts=1,
                       error="RuntimeError()", traceback="")
    db.session.add(failed)
    db.session.commit()
    monkeypatch.setattr(jobs.huey, "storage", _Down("radslag"))
    with caplog.at_level(logging.ERROR, logger="forum.jobs.queue"):
        response = client.post(f"/admin/jobs/{failed.id}/retry")
    assert response.status_code == 302
    assert "could not queue job note" in caplog.text
    assert db.session.get(FailedJob, failed.id).retried_by_id == admin.id


def test_a_failing_job_is_retried_with_growing_delays_then_recorded(app, db, run_jobs):
    app.config["JOBS_RETRY_DELAY"] = 10
    tasks.always_fails.enqueue("the mail server said no")
    delays = []
    for _attempt in range(3):
        task = jobs.huey.dequeue() or jobs.huey.read_schedule(_far_future())[0]
        before = datetime.now(UTC).replace(tzinfo=None)
        jobs.huey.execute(task, _far_future())
        for waiting in jobs.huey.scheduled():
            delays.append(round((waiting.eta - before).total_seconds()))
            jobs.huey.read_schedule(_far_future())  # take it out; the next loop runs it
            jobs.huey.enqueue(waiting)
    assert delays == [10, 20]  # then no third retry: `always_fails` has retries=2
    assert jobs.huey.pending_count() == 0 and jobs.huey.scheduled_count() == 0
    row = db.session.scalars(select(FailedJob)).one()
    assert row.task == "tests.jobs.tasks.always_fails" and row.attempts == 3
    assert row.args == ["the mail server said no"]
    assert "RuntimeError('the mail server said no')" in row.error
    assert "raise RuntimeError(message)" in row.traceback


def _far_future() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)


def test_a_job_that_succeeds_on_retry_leaves_no_failure(app, db, run_jobs, tmp_path):
    tasks.fails_once.enqueue(str(tmp_path / "trace"))
    assert run_jobs() == 2
    assert (tmp_path / "trace").read_text() == "second time lucky\n"
    assert db.session.scalar(select(func.count(FailedJob.id))) == 0


def test_immediate_mode_runs_the_job_inside_enqueue(app_config, _schema, tmp_path):
    immediate = create_app({**app_config, "JOBS_IMMEDIATE": True})
    try:
        with immediate.app_context():
            tasks.note.enqueue(str(tmp_path / "trace"), "at once")
        assert (tmp_path / "trace").read_text() == "at once\n"
    finally:
        create_app(app_config)  # bind the queue back to the suite's storage


def test_a_job_called_directly_runs_here_like_a_function(app, tmp_path):
    tasks.note(str(tmp_path / "trace"), "called")
    assert (tmp_path / "trace").read_text() == "called\n"
    assert jobs.huey.pending_count() == 0


def test_periodic_jobs_are_started_by_the_crontab_they_give(app):
    @jobs.periodic(jobs.crontab(minute="0", hour="6"))
    def morning_round() -> None:
        """A periodic job registered the way features register theirs."""

    try:
        due = {type(t).__name__ for t in jobs.huey.read_periodic(datetime(2026, 12, 1, 6, 0))}
        not_due = {type(t).__name__ for t in jobs.huey.read_periodic(datetime(2026, 12, 1, 7, 0))}
        assert "morning_round" in due and "morning_round" not in not_due
        assert jobs.find(f"{__name__}.morning_round") is morning_round
    finally:
        morning_round.wrapper.unregister()
        jobs.queue._jobs.pop(morning_round.name)


def test_two_jobs_with_one_name_are_refused(app):
    with pytest.raises(ValueError, match="same identifier"):
        jobs.task()(tasks.note.func)
