"""What follows a proposal's close, however it closes: the `proposal.closed` webhook and a
notice to everyone who took part. A moderator closes early (`proposals.close`); at its
closing time a periodic job records the close (`close_due`). Both take the row with one
conditional UPDATE, so a proposal is closed, announced and notified exactly once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.deliberation import Position, Proposal
from forum.services import notifications, webhooks
from forum.services.deliberation import results
from forum.services.webhooks import payloads

BATCH = 200  # proposals closed per run at most; the next run takes the rest


def announce(proposal: Proposal, actor: User | None) -> None:
    """In the transaction of the close (the caller commits): the webhook, and the notices
    to the author and everyone with a position (not to the moderator who closed it)."""
    webhooks.emit("proposal.closed", lambda: payloads.proposal(
        proposal, results.counts(proposal.id)))
    people = set(db.session.scalars(select(Position.user_id).where(
        Position.proposal_id == proposal.id))) | {proposal.author_id}
    for user_id in sorted(people):
        notifications.notify(user_id, "proposal_closed",
                             {"title": proposal.title, "proposal_id": proposal.id},
                             actor_id=actor.id if actor is not None else None)


def due(now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Proposals whose closing time has passed without a recorded close, oldest first."""
    return list(db.session.scalars(select(Proposal.id).where(
        Proposal.closed_at.is_(None), Proposal.closes_at <= (now or utcnow()))
        .order_by(Proposal.closes_at, Proposal.id).limit(limit)))


def close_at_time(proposal_id: int, now: datetime | None = None) -> bool:
    """Record that the proposal closed at its closing time (`closed_at` = `closes_at`, no
    moderator), then announce it. False when it was closed already (by a moderator, or by
    another run of the job that got there first): then nothing is sent again."""
    won = db.session.execute(
        update(Proposal).where(Proposal.id == proposal_id, Proposal.closed_at.is_(None),
                               Proposal.closes_at <= (now or utcnow()))
        .values(closed_at=Proposal.closes_at, version=Proposal.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        db.session.rollback()
        return False
    proposal = db.session.get(Proposal, proposal_id)
    db.session.refresh(proposal)
    announce(proposal, None)
    db.session.commit()
    return True


def close_due(now: datetime | None = None) -> int:
    """Close every proposal whose time has passed (one transaction each); how many closed."""
    now = now or utcnow()
    return sum(close_at_time(proposal_id, now) for proposal_id in due(now))
