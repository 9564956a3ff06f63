"""Periodic deliberation work: proposals closed at their closing time (every minute) and
review-date notices to commitment owners (every hour)."""
from __future__ import annotations

from forum import jobs
from forum.services.deliberation import closing, commitments


@jobs.periodic(jobs.crontab(minute="7"))
def commitment_review_notices() -> None:
    """Owners hear once when a review date nears and once when it has passed."""
    commitments.send_review_notices()


@jobs.periodic(jobs.crontab())
def close_due_proposals() -> None:
    """Proposals whose closing time has passed are closed, announced and notified once."""
    closing.close_due()
