"""Periodic deliberation work: review-date notices to commitment owners, every hour."""
from __future__ import annotations

from forum import jobs
from forum.services.deliberation import commitments


@jobs.periodic(jobs.crontab(minute="7"))
def commitment_review_notices() -> None:
    """Owners hear once when a review date nears and once when it has passed."""
    commitments.send_review_notices()
