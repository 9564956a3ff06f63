"""Votes on statements: agree, disagree or pass, one per member per statement (the database's
unique constraint), changeable while the round is open. Each vote updates the statement's
per-sector counters in the same transaction, so results read counters, never every vote.

Concurrency: a vote first takes the round's row (an UPDATE counting the change), so votes,
closing and hiding in one round queue there; each then sees every vote committed before it,
and a changed vote moves exactly one count from the old choice to the new one."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, lazyload

from forum import ids
from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import Sector, User
from forum.models.base import utcnow
from forum.models.discussion import PostStatus, Thread, Topic
from forum.models.rounds import Choice, Round, Statement, StatementTally, StatementVote
from forum.services.deliberation import round_groups, rounds, statements

COLUMN = {Choice.AGREE: "agree", Choice.DISAGREE: "disagree", Choice.PASS: "passed"}


def clean_choice(choice) -> Choice:
    try:
        return Choice(choice)
    except ValueError:
        raise InvalidInput({"choice": _("Choose agree, disagree or pass.")},
                           code="bad_choice") from None


@dataclass
class Voted:
    round_id: int
    statement_id: int
    choice: Choice
    version: int
    changed: bool = True
    open: bool = True

    @property
    def broadcast(self) -> dict:
        """What watchers of the round are sent: its counts and the statement's new totals
        (no voter), read in one query."""
        return live_message(self.round_id, self.statement_id, self.version, self.open)


def vote(actor: User, round_id, statement_id, choice) -> Voted:
    """Vote on a shown statement of someone else in an open round one may take part in; a
    second vote replaces the first. The round's row is taken first, so the member's current
    vote and the statement's state are read after every earlier vote in the round committed."""
    round_ = _load_round(round_id)
    statements.require_part(actor, round_)
    choice = clean_choice(choice)
    statements.check_id(statement_id)
    round_id, user_id, sector = round_.id, actor.id, actor.sector  # read before the commit
    version = round_groups.take_round(round_id)
    if version is None:
        db.session.rollback()
        raise Conflict(rounds.closed_message(), code="closed")
    found = db.session.execute(_CURRENT, {"statement": statement_id, "user": user_id}).first()
    _check_statement(user_id, round_id, found)
    vote_id, current, old_sector = found[3], found[4], found[5]
    if current is not None and Choice(current) == choice:
        db.session.rollback()
        return Voted(round_id, statement_id, choice, version - 1, changed=False)
    now = utcnow()
    params = {"b_statement": statement_id, "b_round": round_id, "b_sector": sector}
    if vote_id is None:
        db.session.execute(_NEW_VOTE, {
            "statement_id": statement_id, "round_id": round_id, "user_id": user_id,
            "choice": choice, "sector": sector, "created_at": now, "updated_at": now})
        db.session.execute(_COUNT_VOTE, params)
        db.session.execute(_tally_sql(None, choice), params)
    else:
        db.session.execute(_CHANGE_VOTE, {"b_vote": vote_id, "b_choice": choice,
                                          "b_sector": sector, "b_now": now})
        old_sector = Sector(old_sector)
        if old_sector == sector:  # one UPDATE moves the count (the row holds the old vote)
            db.session.execute(_tally_sql(Choice(current), choice), params)
        else:
            _count(statement_id, round_id, old_sector, Choice(current), -1)
            _count(statement_id, round_id, sector, choice, +1)
    db.session.commit()
    return Voted(round_id, statement_id, choice, version)


def _load_round(round_id) -> Round:
    """The round with what the permission rules read (its thread and topic) in one query."""
    if not ids.is_id(round_id):
        return rounds.get(round_id)  # the clear error
    round_ = db.session.scalars(_round_query(), {"round": round_id}).first()
    return round_ if round_ is not None else rounds.get(round_id)


@functools.cache
def _round_query():
    return select(Round).where(Round.id == bindparam("round")).options(
        lazyload(Round.author), joinedload(Round.thread).options(
            lazyload(Thread.author), joinedload(Thread.topic).options(
                lazyload(Topic.focus_area), lazyload(Topic.tags))))


# The statement's state and the member's current vote on it, in one row.
_CURRENT = (
    select(Statement.round_id, Statement.author_id,
           and_(Statement.status == PostStatus.PUBLISHED, Statement.hidden_at.is_(None))
           .label("shown"), StatementVote.id, StatementVote.choice, StatementVote.sector)
    .outerjoin(StatementVote, and_(StatementVote.statement_id == Statement.id,
                                   StatementVote.user_id == bindparam("user")))
    .where(Statement.id == bindparam("statement")))


def _check_statement(user_id: int, round_id: int, found) -> None:
    """Refuse (rolling back the round's row) a missing statement, one of another round,
    one's own, or one that is not shown."""
    problem = None
    if found is None:
        problem = NotFound(_("There is no such statement."))
    elif found[0] != round_id:
        problem = InvalidInput({"statement_id": _("That statement is not part of this round.")})
    elif found[1] == user_id:
        problem = InvalidInput({"statement_id": _("You cannot vote on your own statement.")},
                               code="own_statement")
    elif not found[2]:
        problem = InvalidInput({"statement_id": _("This statement is not shown: it cannot "
                                                  "be voted on.")}, code="hidden")
    if problem is not None:
        db.session.rollback()
        raise problem


def _count(statement_id: int, round_id: int, sector: Sector, choice: Choice,
           step: int) -> None:
    """Add one to (step +1) or take one from (-1) a counter of the statement's sector row."""
    db.session.execute(_tally_sql(None, choice) if step > 0 else _tally_sql(choice, None),
                       {"b_statement": statement_id, "b_round": round_id, "b_sector": sector})


_S, _V, _T = Statement.__table__, StatementVote.__table__, StatementTally.__table__
_NEW_VOTE = insert(_V)
_COUNT_VOTE = update(_S).where(_S.c.id == bindparam("b_statement")).values(votes=_S.c.votes + 1)
_CHANGE_VOTE = update(_V).where(_V.c.id == bindparam("b_vote")).values(
    choice=bindparam("b_choice"), sector=bindparam("b_sector"), updated_at=bindparam("b_now"))


def _tally_sql(old: Choice | None, new: Choice | None):
    """The statement that moves a vote in a sector's counters from `old` to `new` (either may
    be None): an UPDATE, or an upsert when a vote is only added (the row may not exist yet)."""
    return _built_tally_sql(old, new, db.engine.dialect.name)


@functools.cache
def _built_tally_sql(old: Choice | None, new: Choice | None, dialect: str):
    row = (_T.c.statement_id == bindparam("b_statement")) & (_T.c.sector == bindparam("b_sector"))
    change = {}
    if old is not None:
        change[COLUMN[old]] = _T.c[COLUMN[old]] - 1
    if new is not None:
        change[COLUMN[new]] = _T.c[COLUMN[new]] + 1
    if old is not None:
        return update(_T).where(row).values(change)
    start = {name: 0 for name in COLUMN.values()} | {COLUMN[new]: 1}
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_T).values(
        statement_id=bindparam("b_statement"), sector=bindparam("b_sector"),
        round_id=bindparam("b_round"), **start)
    return upsert.on_conflict_do_update(index_elements=[_T.c.statement_id, _T.c.sector],
                                        set_=change)


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
    row = db.session.execute(select(*_STATEMENT_SUMS), {"statement": statement_id}).one()
    return {"id": statement_id, "agree": int(row[0]), "disagree": int(row[1]),
            "pass": int(row[2])}


def _shown_count():
    return select(func.count(Statement.id)).where(
        Statement.round_id == bindparam("round"), Statement.status == PostStatus.PUBLISHED,
        Statement.hidden_at.is_(None)).scalar_subquery()


def _vote_count():
    return select(func.coalesce(func.sum(
        StatementTally.agree + StatementTally.disagree + StatementTally.passed), 0)).where(
        StatementTally.round_id == bindparam("round")).scalar_subquery()


_STATEMENT_SUMS = [select(func.coalesce(func.sum(StatementTally.__table__.c[column]), 0))
                   .where(StatementTally.statement_id == bindparam("statement"))
                   .scalar_subquery() for column in ("agree", "disagree", "passed")]
_ROUND_COUNTS = select(_shown_count(), _vote_count())
_LIVE = select(_shown_count(), _vote_count(), *_STATEMENT_SUMS)


def snapshot(round_: Round) -> dict:
    """A round as its watchers see it: counts only, never who voted how."""
    shown, votes = db.session.execute(_ROUND_COUNTS, {"round": round_.id}).one()
    return {"round_id": round_.id, "version": round_.version,
            "status": "open" if round_.is_open() else "closed", "statements": int(shown),
            "votes": int(votes)}


def live_message(round_id: int, statement_id: int, version: int, is_open: bool = True) -> dict:
    """The snapshot after a vote with the statement's new totals, in one query (no rows
    loaded)."""
    shown, votes, agree, disagree, passed = db.session.execute(
        _LIVE, {"round": round_id, "statement": statement_id}).one()
    return {"round_id": round_id, "version": version, "status": "open" if is_open else "closed",
            "statements": int(shown), "votes": int(votes),
            "statement": {"id": statement_id, "agree": int(agree), "disagree": int(disagree),
                          "pass": int(passed)}}


# --- Privacy ----------------------------------------------------------------------------------


def forget_member(user_id: int) -> int:
    """Remove a member's votes and take them out of the counters (on erasure). Part of the
    caller's transaction; returns how many votes were removed."""
    rows = db.session.scalars(select(StatementVote).where(StatementVote.user_id == user_id)
                              .order_by(StatementVote.id)).all()
    if not rows:
        return 0
    round_ids = sorted({v.round_id for v in rows})
    for round_id in round_ids:
        round_groups.take_round(round_id, open_only=False)
    for row in rows:
        _count(row.statement_id, row.round_id, row.sector, row.choice, -1)
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
