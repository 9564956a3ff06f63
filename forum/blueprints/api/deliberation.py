"""Proposals, positions, outcomes and commitments: what the deliberation pages do, through
the same services (and so the same rules)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from forum.blueprints.api import paging
from forum.blueprints.api.auth import caller, member
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.idempotency import DOC as IDEMPOTENT
from forum.blueprints.api.idempotency import idempotent
from forum.blueprints.api.schemas import deliberation as s
from forum.blueprints.deliberation import events
from forum.exceptions import NotFound
from forum.services.deliberation import commitments, outcomes, positions, proposals, reading
from forum.services.discussion import listing
from forum.services.live import sessions as live_sessions

bp = ApiBlueprint("api_deliberation", "Proposals, positions, outcomes and commitments.")


def _created(obj, endpoint: str, **values):
    return obj, 201, {"Location": url_for(endpoint, _external=True, **values)}


def _proposal_data(data: dict) -> proposals.ProposalData:
    return proposals.ProposalData(title=data["title"], statement=data["statement"],
                                  background=data["background"], closes_at=data["closes_at"],
                                  participation=data["participation"])


def _page_of(rows: list, limit: int, list_id: str, cursor: str | None):
    """Page a short list the service gives whole (a place's proposals), by id."""
    start = paging.after(list_id, cursor, 0)
    rows = sorted((r for r in rows if r.id > start), key=lambda r: r.id)[:limit + 1]
    found = paging.page(rows, limit, list_id, key=lambda r: r.id)
    return found, found.headers


class _Shown:
    """A proposal with what one reader sees of it: the tally and their own position."""

    def __init__(self, card: reading.Card) -> None:
        self.row, self.tally, self.my_position = card.proposal, card.tally, card.mine

    def __getattr__(self, name: str):
        return getattr(self.row, name)


# --- Proposals --------------------------------------------------------------------------------


@bp.get("/threads/<id:thread_id>/proposals")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.ProposalPage)
def thread_proposals(thread_id: int, limit: int, cursor: str | None):
    """The thread's proposals (and its live session's, for an archive thread), oldest first."""
    viewer = caller()
    thread = listing.thread(viewer, thread_id)
    return _page_of(proposals.in_thread(viewer, thread), limit, f"thread:{thread_id}:proposals",
                    cursor)


@bp.post("/threads/<id:thread_id>/proposals")
@bp.writes
@bp.arguments(s.NewProposal)
@bp.response(201, s.Proposal)
def open_in_thread(data: dict, thread_id: int):
    """Open a proposal in a thread for members to take positions on."""
    proposal = proposals.open_in_thread(member(), thread_id, _proposal_data(data))
    return _created(_Shown(reading.card(member(), proposal.id)), "api_deliberation.proposal",
                    proposal_id=proposal.id)


@bp.get("/live-sessions/<id:session_id>/proposals")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.ProposalPage)
def session_proposals(session_id: int, limit: int, cursor: str | None):
    """The live session's proposals, oldest first."""
    viewer = caller()
    session = live_sessions.for_viewer(viewer, session_id)
    return _page_of(proposals.in_session(viewer, session), limit,
                    f"live:{session_id}:proposals", cursor)


@bp.post("/live-sessions/<id:session_id>/proposals")
@bp.writes
@bp.arguments(s.NewProposal)
@bp.response(201, s.Proposal)
def open_in_session(data: dict, session_id: int):
    """Open a proposal in a live session (its staff); a live room hears of it at once."""
    proposal, wires = proposals.open_in_session(member(), session_id, _proposal_data(data))
    events.publish_to_live_room(wires)
    return _created(_Shown(reading.card(member(), proposal.id)), "api_deliberation.proposal",
                    proposal_id=proposal.id)


@bp.get("/proposals/<id:proposal_id>")
@bp.reads
@bp.response(200, s.Proposal)
def proposal(proposal_id: int):
    """One proposal, its results and the caller's own position."""
    return _Shown(reading.card(caller(), proposal_id))


@bp.post("/proposals/<id:proposal_id>/close")
@bp.moderates
@bp.arguments(s.Close)
@bp.response(200, s.Proposal)
def close(data: dict, proposal_id: int):
    """Close an open proposal early (the area's moderators and the session's staff); it is
    in the public moderation log."""
    closed, wires = proposals.close(member(), proposal_id, data["reason"])
    events.publish_to_live_room(wires)
    card = reading.card(member(), closed.id)
    events.publish("proposal", closed.id, card.tally)
    return _Shown(card)


# --- Positions --------------------------------------------------------------------------------


@bp.get("/proposals/<id:proposal_id>/positions")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.PositionPage)
def position_list(proposal_id: int, limit: int, cursor: str | None):
    """The current positions with their reasons, in the order first taken; people are shown
    as the proposal's place shows them (a live session's attribution mode)."""
    list_id = f"proposal:{proposal_id}:positions"
    found_proposal, rows = positions.after(caller(), proposal_id,
                                           paging.after(list_id, cursor, 0), limit)
    found = paging.page(rows, limit, list_id, key=lambda p: p.id,
                        convert=lambda p: positions.entry_of(found_proposal, p))
    return found, found.headers


@bp.post("/proposals/<id:proposal_id>/positions")
@bp.writes
@bp.arguments(s.NewPosition)
@bp.doc(**IDEMPOTENT)
@idempotent
@bp.response(201, s.Taken)
def take_position(data: dict, proposal_id: int):
    """Take a position, or change one's earlier one (one per member; each change is kept in
    the history). Open proposals only."""
    taken = positions.take(member(), proposal_id, data["stance"], data["reason"])
    if taken.changed:
        events.publish_to_live_room(taken.events)
        events.publish("proposal", proposal_id, taken.broadcast)
    answer = {"proposal_id": proposal_id, "position": taken.position, "changed": taken.changed,
              "tally": taken.tally}
    return _created(answer, "api_deliberation.proposal", proposal_id=proposal_id)


# --- Outcomes ---------------------------------------------------------------------------------


@bp.get("/proposals/<id:proposal_id>/outcome")
@bp.reads
@bp.response(200, s.Outcome)
def outcome(proposal_id: int):
    """What was decided on a closed proposal (404 until it is recorded)."""
    found = reading.card(caller(), proposal_id).proposal.outcome
    if found is None:
        raise NotFound(_("No outcome has been recorded for this proposal yet."))
    return found


@bp.put("/proposals/<id:proposal_id>/outcome")
@bp.moderates
@bp.arguments(s.OutcomeIn)
@bp.response(200, s.Outcome)
def record_outcome(data: dict, proposal_id: int):
    """Record the outcome of a closed proposal, or edit it (it is posted in the thread)."""
    return outcomes.save(member(), proposal_id, outcomes.OutcomeData(
        data["kind"], data["decision"], data["next_steps"]))


# --- Commitments ------------------------------------------------------------------------------


def _commitment_data(data: dict) -> commitments.CommitmentData:
    return commitments.CommitmentData(
        owner_email=data["owner_email"], text=data["text"], due_on=data["due_on"],
        review_on=data["review_on"], organisation=data["organisation"])


@bp.get("/commitments")
@bp.reads
@bp.arguments(s.LedgerArgs, location="query", as_kwargs=True)
@bp.response(200, s.CommitmentPage)
def ledger(limit: int, cursor: str | None, area, sector, owner, status):
    """The public ledger, by due date (earliest first), filtered as on the page."""
    wanted = commitments.LedgerFilter(focus_area_id=area, sector=sector, owner_id=owner,
                                      status=status)
    list_id = f"commitments:{area}:{sector}:{owner}:{status}"
    viewer = caller()
    rows = commitments.ledger_after(wanted, paging.after(list_id, cursor), limit)
    found = paging.page(rows, limit, list_id, key=lambda c: [c.due_on.isoformat(), c.id],
                        keep=lambda c: commitments.visible(viewer, c))
    return found, found.headers


@bp.get("/commitments/<id:commitment_id>")
@bp.reads
@bp.response(200, s.CommitmentWithHistory)
def commitment(commitment_id: int):
    """One commitment with its owner's reports, newest first."""
    return commitments.for_viewer(caller(), commitment_id)


@bp.post("/proposals/<id:proposal_id>/commitments")
@bp.moderates
@bp.arguments(s.NewCommitment)
@bp.response(201, s.CommitmentWithHistory)
def record_outcome_commitment(data: dict, proposal_id: int):
    """Record a commitment on a proposal's outcome."""
    made = commitments.record_for_outcome(member(), proposal_id, _commitment_data(data))
    return _created(made, "api_deliberation.commitment", commitment_id=made.id)


@bp.post("/live-sessions/<id:session_id>/commitments")
@bp.moderates
@bp.arguments(s.NewCommitment)
@bp.response(201, s.CommitmentWithHistory)
def record_session_commitment(data: dict, session_id: int):
    """Record a commitment made in a live session."""
    made = commitments.record_for_session(member(), session_id, _commitment_data(data))
    return _created(made, "api_deliberation.commitment", commitment_id=made.id)


@bp.post("/commitments/<id:commitment_id>/updates")
@bp.writes
@bp.arguments(s.CommitmentUpdate)
@bp.response(201, s.CommitmentWithHistory)
def report(data: dict, commitment_id: int):
    """The owner reports: a status and a short note (kept in the history)."""
    made = commitments.update_status(member(), commitment_id, data["status"], data["note"])
    return _created(made, "api_deliberation.commitment", commitment_id=made.id)
