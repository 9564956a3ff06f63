"""Read models for the deliberation pages: one proposal with everything a reader may see of
it, and the small card the live room and thread pages show."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from forum.extensions import db
from forum.models.deliberation import Commitment, Outcome, Position, Proposal
from forum.models.discussion import Thread
from forum.models.live import LiveSession
from forum.permissions.core import plain_user
from forum.services.deliberation import positions, proposals, results, seen
from forum.services.deliberation.positions import Entry


@dataclass
class Card:
    proposal: Proposal
    tally: dict
    mine: Position | None


@dataclass
class ProposalPage(Card):
    opener: Entry
    reasons: list[Entry]
    history: list[list[Entry]]
    outcome: Outcome | None
    commitments: list[Commitment]
    thread: Thread | None
    session: LiveSession | None


def card(viewer, proposal_id: int) -> Card:
    """The proposal, its tally and the reader's own position (403 if they may not see it)."""
    viewer = plain_user(viewer)
    proposal = proposals.for_viewer(viewer, proposal_id)
    return Card(proposal, tally_of(proposal), positions.mine(viewer, proposal))


def proposal_page(viewer, proposal_id: int) -> ProposalPage:
    """Everything the proposal page shows: results (frozen ones once an outcome is recorded),
    reasons, each member's changes, the outcome and its commitments."""
    base = card(viewer, proposal_id)
    proposal = base.proposal
    outcome = proposal.outcome
    commitments = list(db.session.scalars(select(Commitment).where(
        Commitment.outcome_id == outcome.id).order_by(Commitment.due_on))) if outcome else []
    return ProposalPage(proposal, base.tally, base.mine, positions.opener(proposal),
                        positions.reasons(proposal),
                        positions.history(proposal), outcome, commitments,
                        seen.thread_of(proposal), proposal.live_session)


def tally_of(proposal: Proposal) -> dict:
    """The live tally, or the frozen one once an outcome is recorded."""
    if proposal.outcome is not None:
        return proposal.outcome.final_tally
    return results.tally(proposal)
