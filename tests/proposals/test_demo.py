"""`forum seed --demo` shows deliberation: an open proposal with positions from every sector,
a closed one with an outcome and commitments (one overdue), a proposal in the live session."""
from __future__ import annotations

from sqlalchemy import select

from forum.models.accounts import Sector
from forum.models.deliberation import Commitment, Outcome, Proposal
from forum.models.live import LiveEvent
from forum.services.deliberation import commitments, results


def test_demo_holds_open_and_closed_proposals_with_commitments(demo_forum, db, client):
    rows = db.session.scalars(select(Proposal).order_by(Proposal.id)).all()
    open_ones = [p for p in rows if p.is_open() and p.thread_id]
    (first,) = open_ones
    sectors = results.counts(first.id)["all"]["sectors"]
    assert all(sectors[s.value]["count"] for s in Sector)  # every sector took part
    assert results.counts(first.id)["all"]["total"]["block"] == 1

    (outcome,) = db.session.scalars(select(Outcome)).all()
    assert not outcome.proposal.is_open() and outcome.post_id is not None
    owned = db.session.scalars(select(Commitment).where(
        Commitment.outcome_id == outcome.id)).all()
    assert len(owned) >= 2
    assert [c.text for c in owned if c.is_overdue(commitments.today())] == [
        "Put the yearly follow-up on the council's agenda"]
    ledger = client.get("/commitments").get_data(as_text=True)
    assert "Overdue" in ledger and "Skriva tydligare uppdrag" in ledger

    (in_room,) = [p for p in rows if p.live_session_id]
    assert results.counts(in_room.id)["all"]["total"]["count"] == 6
    types = db.session.scalars(select(LiveEvent.type).where(
        LiveEvent.session_id == in_room.live_session_id)).all()
    assert types.count("proposal") == 1 and types.count("position") == 6
    assert client.get(f"/proposals/{first.id}").status_code == 200
    assert client.get(f"/live/{in_room.live_session_id}").status_code == 200
