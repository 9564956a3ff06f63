"""A round's opinion groups, computed on the job queue and stored on the round with the
version they count, never inside a request.

Every change that can move the groups (a vote, a statement shown or hidden, a member's votes
erased, the round closing) counts a new version in the round's row, in the same UPDATE that
takes the row for the change. That UPDATE also sets `groups_queued_at` when it is empty (or
so old that its job must have been lost): only the change that set it queues the job, so at
most one run per round waits at a time. The job clears the mark before reading the votes, so
votes cast while it runs queue the next run. A run waits ROUND_GROUPS_SECONDS first, so a
burst of votes is counted in one computation."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, case, or_, select, update

from forum import jobs
from forum.extensions import db
from forum.models.base import utcnow
from forum.models.rounds import Round
from forum.services.deliberation import common_ground as cg

PARAMS = cg.Params()
LOST_AFTER = timedelta(minutes=15)  # a mark this old means its job is gone: queue again


def take_round(round_id: int, *, open_only: bool = True, **values) -> int | None:
    """Count a change of the round (locking its row for this transaction) and queue the
    recomputation of its groups unless one is waiting. The new version, or None when the
    round has closed (only with `open_only`). Other column `values` are set alongside."""
    now = utcnow()
    row = db.session.execute(_take_statement(open_only, tuple(sorted(values))), {
        "b_round": round_id, "b_now": now, "b_lost": now - LOST_AFTER,
        **{f"b_{name}": value for name, value in values.items()}}).one_or_none()
    if row is None:
        return None
    if row[1]:
        _queue(round_id, now)
    return row[0]


@functools.cache
def _take_statement(open_only: bool, names: tuple[str, ...]):
    """The UPDATE behind take_round, built once per shape (it runs with every vote)."""
    table = Round.__table__
    mark, stamp = table.c.groups_queued_at, bindparam("b_now", type_=table.c.groups_queued_at.type)
    query = update(table).where(table.c.id == bindparam("b_round"))
    if open_only:
        query = query.where(table.c.closed_at.is_(None), table.c.closes_at > stamp)
    lost = or_(mark.is_(None), mark < bindparam("b_lost", type_=mark.type))
    return query.values(version=table.c.version + 1, groups_queued_at=case((lost, stamp),
                                                                         else_=mark),
                        **{name: bindparam(f"b_{name}") for name in names}
                        ).returning(table.c.version, mark == stamp)


def queue_if_stale(round_id: int) -> None:
    """Queue a run for a round whose stored groups are older than its votes and that has none
    waiting (after an upgrade, or a lost job). Commits only when it queues."""
    now = utcnow()
    column = Round.__table__.c.groups_queued_at
    marked = db.session.execute(
        update(Round).where(Round.id == round_id,
                            or_(Round.groups_version.is_(None),
                                Round.groups_version != Round.version),
                            or_(column.is_(None), column < now - LOST_AFTER))
        .values(groups_queued_at=now).execution_options(synchronize_session=False)).rowcount
    if marked:
        _queue(round_id, now)
        db.session.commit()


def _queue(round_id: int, now: datetime) -> None:
    """Hand the run to the queue once the caller's transaction commits."""
    delay = current_app.config["ROUND_GROUPS_SECONDS"]
    if delay > 0:
        refresh_round_groups.enqueue_at(now + timedelta(seconds=delay), round_id)
    else:
        refresh_round_groups.enqueue(round_id)


@jobs.task(retries=3)
def refresh_round_groups(round_id: int) -> None:
    """The job: clear the round's mark, then compute and store its groups."""
    db.session.execute(update(Round).where(Round.id == round_id)
                       .values(groups_queued_at=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    compute_now(round_id)


def compute_now(round_id: int) -> None:
    """Compute the round's groups from its votes and store them with the version counted
    (never over groups of a later version stored meanwhile by another run)."""
    version = db.session.scalar(select(Round.version).where(Round.id == round_id))
    if version is None:
        return  # the round is gone
    shown = cg.shown_statement_ids(round_id)
    votes, sectors = cg.load_votes(round_id, shown)
    groups = cg.find_groups(votes, sectors, PARAMS)
    db.session.execute(update(Round).where(
        Round.id == round_id, or_(Round.groups_version.is_(None),
                                  Round.groups_version <= version))
        .values(groups_cache=groups, groups_version=version, groups_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.commit()


@dataclass(frozen=True)
class Stored:
    """The groups as last stored: None before the first run."""

    groups: dict | None
    version: int | None  # the round version they count
    at: datetime | None  # when they were computed
    queued: bool  # a run is waiting (and not so long that it must be lost)


def stored(round_id: int) -> Stored:
    groups, version, at, mark = db.session.execute(select(
        Round.groups_cache, Round.groups_version, Round.groups_at, Round.groups_queued_at)
        .where(Round.id == round_id)).one()
    return Stored(groups, version, at, mark is not None and mark > utcnow() - LOST_AFTER)
