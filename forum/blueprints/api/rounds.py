"""Statement rounds: read a round and its shown statements, submit a statement, vote. The
same services and rules as the pages; results stay on the results page."""
from __future__ import annotations

from types import SimpleNamespace

from flask import url_for
from sqlalchemy import func, select

from forum.blueprints.api.auth import caller, member
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.idempotency import DOC as IDEMPOTENT
from forum.blueprints.api.idempotency import idempotent
from forum.blueprints.api.schemas import rounds as s
from forum.blueprints.deliberation import events
from forum.extensions import db
from forum.models.rounds import StatementTally
from forum.services.deliberation import rounds, statements, votes

bp = ApiBlueprint("api_rounds", "Statement rounds: statements and votes.")


def _wire(round_) -> SimpleNamespace:
    shown = statements.shown(round_)
    totals = {sid: (a, d, p) for sid, a, d, p in db.session.execute(select(
        StatementTally.statement_id, func.sum(StatementTally.agree),
        func.sum(StatementTally.disagree), func.sum(StatementTally.passed)).where(
        StatementTally.round_id == round_.id).group_by(StatementTally.statement_id))}
    return SimpleNamespace(
        id=round_.id, question=round_.question, description=round_.description,
        thread_id=round_.thread_id, live_session_id=round_.live_session_id,
        participation=round_.participation.value, premoderate=round_.premoderate,
        status="open" if round_.is_open() else "closed", closes_at=round_.closes_at,
        closed_at=round_.closed_at, version=round_.version,
        statements=[SimpleNamespace(id=x.id, text=x.text, agree=int(totals.get(x.id, (0,))[0]),
                                    disagree=int(totals.get(x.id, (0, 0))[1]),
                                    pass_=int(totals.get(x.id, (0, 0, 0))[2]))
                    for x in reversed(shown)])


@bp.get("/rounds/<id:round_id>")
@bp.reads
@bp.response(200, s.StatementRound)
def round(round_id: int):  # noqa: A001 - the resource's name
    """A round and its shown statements (oldest first) with their vote totals."""
    return _wire(rounds.for_viewer(caller(), round_id))


@bp.post("/rounds/<id:round_id>/statements")
@bp.writes
@bp.arguments(s.NewStatement)
@bp.doc(**IDEMPOTENT)
@idempotent
@bp.response(201, s.Submitted)
def submit(data: dict, round_id: int):
    """Submit a statement (at most 280 characters). Pre-moderated rounds and members hold it
    for a moderator (status pending)."""
    made = statements.submit(member(), round_id, data["text"])
    if made.published:
        events.publish("round", round_id, {
            **votes.snapshot(made.statement.round),
            "new_statement": {"id": made.statement.id, "text": made.statement.text}})
    answer = {"statement_id": made.statement.id,
              "status": "published" if made.published else "pending"}
    return answer, 201, {"Location": url_for("api_rounds.round", round_id=round_id,
                                             _external=True)}


@bp.post("/rounds/<id:round_id>/votes")
@bp.writes
@bp.arguments(s.NewVote)
@bp.response(200, s.Voted)
def vote(data: dict, round_id: int):
    """Vote agree, disagree or pass on a statement (not one's own); a second vote replaces
    the first."""
    voted = votes.vote(member(), round_id, data["statement_id"], data["choice"])
    if voted.changed:
        events.publish("round", round_id, voted.broadcast)
    return {"statement_id": voted.statement_id, "choice": voted.choice.value,
            "changed": voted.changed, "version": voted.version}
