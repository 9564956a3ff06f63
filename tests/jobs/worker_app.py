"""The app a test worker loads (`flask --app tests.jobs.worker_app forum worker`): the real
one, plus the jobs the tests queue."""
from tests.jobs import tasks  # noqa: F401 - registers the test jobs
from wsgi import app

__all__ = ["app"]
