"""Background jobs on Huey: `@jobs.task()`, `@jobs.periodic(jobs.crontab(...))`,
`job.enqueue(...)`; the worker is `flask --app wsgi forum worker`."""
from forum.jobs.queue import (
           Job,
           bound_app,
           crontab,
           find,
           huey,
           init_app,
           periodic,
           queue_state,
           task,
)

__all__ = ["Job", "bound_app", "crontab", "queue_state", "find", "huey", "init_app",
           "periodic", "task"]
