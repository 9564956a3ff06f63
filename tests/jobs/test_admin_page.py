"""/admin/jobs: admins see the jobs that finally failed, with the error, and queue one
again; a job is queued again once per failure."""
from __future__ import annotations

from pathlib import Path

from forum import jobs
from forum.extensions import db as _db
from forum.models.jobs import FailedJob
from tests import factories
from tests.jobs import tasks


def _failed(path: Path) -> FailedJob:
    row = FailedJob(task=tasks.note.name, args=[str(path), "again"], kwargs={}, attempts=9,
                    error="ConnectionRefusedError(111, 'Connection refused')",
                    traceback="Traceback (most recent call last): ...")
    _db.session.add(row)
    _db.session.commit()
    return row


def test_admins_see_failed_jobs_with_their_error(client, db, login, tmp_path):
    _failed(tmp_path / "trace")
    login(factories.make_admin())
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "tests.jobs.tasks.note" in page and "Connection refused" in page
    assert "Waiting: 0." in page


def test_an_admin_queues_a_failed_job_again_and_it_runs(client, db, login, run_jobs, tmp_path):
    row = _failed(tmp_path / "trace")
    admin = login(factories.make_admin())
    response = client.post(f"/admin/jobs/{row.id}/retry")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/jobs"
    assert jobs.huey.pending_count() == 1
    assert run_jobs() == 1 and (tmp_path / "trace").read_text() == "again\n"
    row = db.session.get(FailedJob, row.id)
    assert row.retried_by_id == admin.id and row.retried_at is not None
    assert "Queued again" in client.get("/admin/jobs").get_data(as_text=True)


def test_a_failed_job_is_queued_again_only_once(client, db, login, tmp_path):
    row = _failed(tmp_path / "trace")
    login(factories.make_admin())
    client.post(f"/admin/jobs/{row.id}/retry")
    assert client.post(f"/admin/jobs/{row.id}/retry").status_code == 409
    assert jobs.huey.pending_count() == 1


def test_a_job_whose_code_is_gone_is_refused_with_a_reason(client, db, login):
    row = FailedJob(task="forum.services.gone.old_job", args=[], kwargs={}, attempts=1,
                    error="x", traceback="")
    db.session.add(row)
    db.session.commit()
    login(factories.make_admin())
    response = client.post(f"/admin/jobs/{row.id}/retry")
    assert response.status_code == 400 and "no longer exists" in response.get_data(as_text=True)
    assert db.session.get(FailedJob, row.id).retried_at is None


def test_members_and_moderators_may_not_see_the_page(client, db, login):
    login(factories.make_moderator())
    assert client.get("/admin/jobs").status_code == 403
