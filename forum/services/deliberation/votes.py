"""Votes on statements: agree, disagree or pass, one per member per statement (the database's
unique constraint), changeable while the round is open. Each vote updates the statement's
per-sector counters in the same transaction, so results read counters, never every vote.

Concurrency: a vote first takes the round's row (an UPDATE counting the change), so votes,
closing and hiding in one round queue there; each then sees every vote committed before it,
and a changed vote moves exactly one count from the old choice to the new one."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select, update

from forum.exceptions import Conflict, InvalidInput
from forum.extensions import db
from forum.models.accounts import Sector, User
from forum.models.base import insert_or_merge, utcnow
from forum.models.discussion import PostStatus
from forum.models.rounds import Choice, Round, Statement, StatementTally, StatementVote
from forum.services.deliberation import rounds, statements

COLUMN = {Choice.AGREE: "agree", Choice.DISAGREE: "disagree", Choice.PASS: "passed"}


def clean_choice(choice) -> Choice:
    try:
        return Choice(choice)
    except ValueError:
        raise InvalidInput({"choice": _("Choose agree, disagree or pass.")},
                           code="bad_choice") from None


@dataclass
class Voted:
    round: Round
    statement: Statement
    choice: Choice
    version: int
    changed: bool = True

    @property
    def broadcast(self) -> dict:
        """What watchers of the round are sent: the statement's new totals, no voter."""
        return {**snapshot(self.round), "statement": statement_totals(self.statement.id)}


def vote(actor: User, round_id, statement_id, choice) -> Voted:
    round_ = rounds.get(round_id)
    statements.require_part(actor, round_)
    choice = clean_choice(choice)
    statement = statements.get(statement_id)
    if statement.round_id != round_.id:
        raise InvalidInput({"statement_id": _("That statement is not part of this round.")})
    _check_statement(actor, statement)
    version = _take_round(round_)
    db.session.refresh(statement)
    _check_statement(actor, statement, rollback=True)  # hidden while we queued?
    current = db.session.scalars(select(StatementVote).where(
        StatementVote.statement_id == statement.id, StatementVote.user_id == actor.id)
        .execution_options(populate_existing=True)).one_or_none()
    if current is not None and current.choice == choice:
        db.session.rollback()
        return Voted(round_, statement, choice, round_.version, changed=False)
    now = utcnow()
    if current is None:
        db.session.add(StatementVote(statement_id=statement.id, round_id=round_.id,
                                     user_id=actor.id, choice=choice, sector=actor.sector,
                                     created_at=now, updated_at=now))
        db.session.execute(update(Statement).where(Statement.id == statement.id)
                           .values(votes=Statement.votes + 1)
                           .execution_options(synchronize_session=False))
    else:
        _count(statement, current.sector, current.choice, -1)
        current.choice, current.sector, current.updated_at = choice, actor.sector, now
    _count(statement, actor.sector, choice, +1)
    db.session.commit()
    return Voted(round_, statement, choice, version)


def _check_statement(actor: User, statement: Statement, *, rollback: bool = False) -> None:
    problem = None
    if statement.author_id == actor.id:
        problem = InvalidInput({"statement_id": _("You cannot vote on your own statement.")},
                               code="own_statement")
    elif not statement.is_shown:
        problem = InvalidInput({"statement_id": _("This statement is not shown: it cannot "
                                                  "be voted on.")}, code="hidden")
    if problem is not None:
        if rollback:
            db.session.rollback()
        raise problem


def _take_round(round_: Round) -> int:
    version = db.session.execute(
        update(Round).where(Round.id == round_.id, Round.closed_at.is_(None),
                            Round.closes_at > utcnow())
        .values(version=Round.version + 1).returning(Round.version)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if version is None:
        db.session.rollback()
        raise Conflict(rounds.closed_message(), code="closed")
    return version


def _count(statement: Statement, sector: Sector, choice: Choice, step: int) -> None:
    """Add `step` to one counter of the statement's sector row (created on first use)."""
    column = COLUMN[choice]
    if step < 0:
        table = StatementTally.__table__
        db.session.execute(update(StatementTally).where(
            StatementTally.statement_id == statement.id, StatementTally.sector == sector)
            .values({column: table.c[column] + step})
            .execution_options(synchronize_session=False))
        return
    start = {name: 0 for name in COLUMN.values()} | {column: step}
    insert = insert_or_merge(StatementTally).values(
        statement_id=statement.id, sector=sector, round_id=statement.round_id, **start)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=[StatementTally.statement_id, StatementTally.sector],
        set_={column: StatementTally.__table__.c[column] + step}))


# --- Reading ----------------------------------------------------------------------------------


def next_for(viewer, round_: Round) -> Statement | None:
    """The statement this member is shown next: the shown statement with the fewest votes
    (oldest first among equals) that is not theirs and that they have not voted on."""
    if not isinstance(viewer, User):
        return None
    voted = exists().where(and_(StatementVote.statement_id == Statement.id,
                                StatementVote.user_id == viewer.id))
    return db.session.scalars(select(Statement).where(
        Statement.round_id == round_.id, Statement.status == PostStatus.PUBLISHED,
        Statement.hidden_at.is_(None), Statement.author_id != viewer.id, ~voted)
        .order_by(Statement.votes, Statement.id).limit(1)).first()


def remaining_for(viewer, round_: Round) -> int:
    if not isinstance(viewer, User):
        return 0
    voted = exists().where(and_(StatementVote.statement_id == Statement.id,
                                StatementVote.user_id == viewer.id))
    return db.session.scalar(select(func.count(Statement.id)).where(
        Statement.round_id == round_.id, Statement.status == PostStatus.PUBLISHED,
        Statement.hidden_at.is_(None), Statement.author_id != viewer.id, ~voted)) or 0


def mine(viewer, round_: Round) -> dict[int, Choice]:
    """The member's votes in the round: statement id -> choice."""
    if not isinstance(viewer, User):
        return {}
    return dict(db.session.execute(select(StatementVote.statement_id, StatementVote.choice)
                                   .where(StatementVote.round_id == round_.id,
                                          StatementVote.user_id == viewer.id)).all())


def statement_totals(statement_id: int) -> dict:
    row = db.session.execute(select(
        func.coalesce(func.sum(StatementTally.agree), 0),
        func.coalesce(func.sum(StatementTally.disagree), 0),
        func.coalesce(func.sum(StatementTally.passed), 0)).where(
        StatementTally.statement_id == statement_id)).one()
    return {"id": statement_id, "agree": int(row[0]), "disagree": int(row[1]),
            "pass": int(row[2])}


def snapshot(round_: Round) -> dict:
    """A round as its watchers see it: counts only, never who voted how."""
    shown = db.session.scalar(select(func.count(Statement.id)).where(
        Statement.round_id == round_.id, Statement.status == PostStatus.PUBLISHED,
        Statement.hidden_at.is_(None))) or 0
    votes = db.session.scalar(select(func.coalesce(func.sum(
        StatementTally.agree + StatementTally.disagree + StatementTally.passed), 0)).where(
        StatementTally.round_id == round_.id)) or 0
    return {"round_id": round_.id, "version": round_.version,
            "status": "open" if round_.is_open() else "closed", "statements": shown,
            "votes": int(votes)}


# --- Privacy ----------------------------------------------------------------------------------


def forget_member(user_id: int) -> int:
    """Remove a member's votes and take them out of the counters (on erasure). Part of the
    caller's transaction; returns how many votes were removed."""
    rows = db.session.scalars(select(StatementVote).where(StatementVote.user_id == user_id)
                              .order_by(StatementVote.id)).all()
    if not rows:
        return 0
    round_ids = sorted({v.round_id for v in rows})
    db.session.execute(update(Round).where(Round.id.in_(round_ids))
                       .values(version=Round.version + 1)
                       .execution_options(synchronize_session=False))
    for row in rows:
        statement = db.session.get(Statement, row.statement_id)
        _count(statement, row.sector, row.choice, -1)
        db.session.execute(update(Statement).where(Statement.id == row.statement_id)
                           .values(votes=Statement.votes - 1)
                           .execution_options(synchronize_session=False))
        db.session.delete(row)
    return len(rows)


def export_member(user_id: int) -> dict:
    """The member's statements and votes, for their data export."""
    written = db.session.scalars(select(Statement).where(Statement.author_id == user_id)
                                 .order_by(Statement.id))
    cast = db.session.execute(select(StatementVote, Statement.text).join(
        Statement, Statement.id == StatementVote.statement_id).where(
        StatementVote.user_id == user_id).order_by(StatementVote.id))
    return {
        "statements": [{"id": s.id, "round_id": s.round_id, "text": s.text,
                        "status": "hidden" if s.hidden_at else s.status.value,
                        "at": s.created_at.isoformat()} for s in written],
        "statement_votes": [{"statement_id": v.statement_id, "round_id": v.round_id,
                             "statement": text, "choice": v.choice.value,
                             "at": v.updated_at.isoformat()} for v, text in cast],
    }
