"""Proposals in the live room: the events they add to a session's ordered stream
(`proposal`, `position`, `proposal_closed`; see docs/live-protocol.md) and what a joining
client is told about them. Who took a position is shown as the session's attribution mode
says (`stream.shown`); the stream reaches only the room, so an invitation-only session's
positions never leave it."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.accounts import User
from forum.models.deliberation import Position, Proposal
from forum.models.live import LiveEvent, LiveSession
from forum.permissions import Action, can
from forum.services.deliberation import results
from forum.services.live import stream


def proposal_wire(proposal: Proposal) -> dict:
    return {"id": proposal.id, "title": proposal.title,
            "status": "open" if proposal.is_open() else "closed",
            "closes_at": proposal.closes_at.isoformat(),
            "participation": proposal.participation.value}


def announce_opened(session: LiveSession, actor: User, proposal: Proposal) -> LiveEvent:
    """The next stream event: a proposal has been opened in the room (not committed)."""
    return stream.append(session, "proposal", actor, {"proposal": proposal_wire(proposal),
                                                      "tally": results.tally(proposal)})


def announce_position(session: LiveSession, actor: User, position: Position,
                      tally: dict) -> LiveEvent:
    """The next stream event: a member took or changed a position; the new tally with it."""
    return stream.append(session, "position", actor, {
        "proposal_id": position.proposal_id,
        "position": {"stance": position.stance.value, "reason": position.reason},
        "tally": tally})


def announce_closed(session: LiveSession, actor: User, proposal: Proposal) -> LiveEvent:
    return stream.append(session, "proposal_closed", actor, {
        "proposal_id": proposal.id, "tally": results.tally(proposal, status="closed")})


def room_state(viewer: User, session_id: int) -> list[dict]:
    """The session's proposals for a client that joins: each with its tally and the
    viewer's own stance (None if they have taken none)."""
    proposals = [p for p in db.session.scalars(select(Proposal).where(
        Proposal.live_session_id == session_id).order_by(Proposal.id))
        if can(viewer, Action.VIEW_PROPOSAL, p)]
    mine = dict(db.session.execute(select(Position.proposal_id, Position.stance).where(
        Position.user_id == viewer.id,
        Position.proposal_id.in_([p.id for p in proposals]))).all()) if proposals else {}
    return [{"proposal": proposal_wire(p), "tally": results.tally(p),
             "mine": mine[p.id].value if p.id in mine else None} for p in proposals]
