"""Every module that defines jobs. Web processes and workers import them all, so a worker
knows each job a web process may queue, and the scheduler knows every periodic job.

A feature with jobs adds its module here (digests, reminders, IP retention, ...)."""
from __future__ import annotations

import importlib

TASK_MODULES = (
    "forum.services.jobs",  # records jobs that finally failed
    "forum.services.mail.sending",  # email delivery
    "forum.services.deliberation.jobs",  # commitment review notices
    "forum.services.deliberation.round_groups",  # statement rounds' opinion groups
    "forum.services.retention",  # IP addresses shortened every night
    "forum.services.security.password_reset",  # reset links (the job looks the address up)
    "forum.services.notifications.mailing",  # notices by email, at once and daily digests
    "forum.services.notifications.reminders",  # live sessions about to start
    "forum.services.webhooks.delivery",  # webhook deliveries, the lost-job sweep, the purge
    "forum.services.idempotency",  # expired Idempotency-Key records are purged
    "forum.services.search.jobs",  # rebuilding the search index
)


def import_task_modules() -> None:
    for name in TASK_MODULES:
        importlib.import_module(name)
