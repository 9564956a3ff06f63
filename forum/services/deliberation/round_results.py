"""The results page of a statement round, read from the per-sector counters (kept with every
vote) and the opinion groups, which are cached on the round with the version they were
computed at and recomputed at most every ROUND_GROUPS_SECONDS (or at once when nothing changed
since: then the cache is simply current). Only counts leave here, never who voted how.

Each process also keeps the last results of each round, keyed by the round's version: while
nothing changes a page costs one small query and the template; while votes arrive the results
are recomputed at most every ROUND_RESULTS_SECONDS."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models.accounts import Sector
from forum.models.base import utcnow
from forum.models.rounds import Round, Statement, StatementVote
from forum.services.deliberation import common_ground as cg
from forum.services.deliberation import rounds

PARAMS = cg.Params()


@dataclass(frozen=True)
class StatementView:
    """What the results show of a statement (plain values: results outlive the request)."""

    id: int
    text: str


@dataclass
class GroupView:
    label: str
    size: int
    sectors: dict[str, int]
    agrees: list[tuple[StatementView, float]]


@dataclass
class Results:
    round: Round
    params: cg.Params
    sectors: list[str]  # sectors that voted in the round
    missing: list[str]  # sectors that did not
    statements: dict[int, StatementView]
    by_sector: dict[int, cg.StatementResult]
    broad: list[cg.StatementResult]
    divisive: list[cg.StatementResult]
    not_enough: int  # statements without enough votes in some sector
    groups: dict  # as common_ground.find_groups gives it
    group_views: list[GroupView]
    common: list[cg.StatementResult]
    voters: int
    votes: int
    groups_current: bool  # False: computed before the latest votes (at most N seconds ago)
    version: int = 0  # the round's version these results count


# round (id, created) -> (version, when computed, results); created tells apart rounds of
# databases that reuse ids (tests).
_LAST: dict[tuple[int, str], tuple[int, float, Results]] = {}
_KEEP = 64  # rounds remembered per process


def results(viewer, round_id) -> Results:
    round_ = rounds.for_viewer(viewer, round_id)
    return latest(round_)


def latest(round_: Round) -> Results:
    """The round's results: the process's last ones while the round has not changed (or
    changed less than ROUND_RESULTS_SECONDS ago), else computed anew."""
    key = (round_.id, round_.created_at.isoformat())
    version = db.session.scalar(select(Round.version).where(Round.id == round_.id))
    held, now = _LAST.get(key), time.monotonic()
    fresh = current_app.config["ROUND_RESULTS_SECONDS"]
    if held is not None and (held[0] == version or now - held[1] < fresh):
        return replace(held[2], round=round_)
    found = compute(round_)
    if len(_LAST) >= _KEEP:
        _LAST.pop(min(_LAST, key=lambda k: _LAST[k][1]))
    _LAST[key] = (found.version, now, found)
    return found


def compute(round_: Round, params: cg.Params = PARAMS) -> Results:
    version = db.session.scalar(select(Round.version).where(Round.id == round_.id))
    shown = {i: StatementView(i, text) for i, text in db.session.execute(
        select(Statement.id, Statement.text).where(
            Statement.round_id == round_.id, Statement.status == "published",
            Statement.hidden_at.is_(None)).order_by(Statement.id))}
    cells, present = cg.load_cells(round_.id, shown)
    by_sector = cg.by_sector(cells, present, params)
    groups, current = groups_of(round_, list(shown), params)
    views = [GroupView(g["label"], g["size"], g["sectors"],
                       [(shown[s], v) for s, v in cg.group_agrees_on(g, shown, params)
                        ][:params.shown]) for g in groups.get("groups", [])]
    votes = sum(c.total.n for c in by_sector.values())
    voters = db.session.scalar(select(func.count(func.distinct(StatementVote.user_id)))
                               .where(StatementVote.round_id == round_.id)) or 0
    sectors = [s.value for s in Sector if s.value in present]
    return Results(
        round=round_, params=params, sectors=sectors,
        missing=[s.value for s in Sector if s.value not in present], statements=shown,
        by_sector=by_sector, broad=cg.broad(by_sector)[:params.shown],
        divisive=cg.divisive(by_sector, params)[:params.shown],
        not_enough=sum(1 for r in by_sector.values() if r.verdict == "not_enough"),
        groups=groups, group_views=views, common=cg.common_ground(by_sector, groups, params),
        voters=voters, votes=votes, groups_current=current, version=version)


def groups_of(round_: Round, shown_ids: list[int], params: cg.Params = PARAMS
              ) -> tuple[dict, bool]:
    """The round's opinion groups: the cached ones while they are current or younger than
    ROUND_GROUPS_SECONDS, else computed now and stored. (groups, current?)"""
    version, cache, cached_version, cached_at = db.session.execute(select(
        Round.version, Round.groups_cache, Round.groups_version, Round.groups_at).where(
        Round.id == round_.id)).one()
    now = utcnow()
    if cache is not None and cached_version == version:
        return cache, True
    ttl = timedelta(seconds=current_app.config["ROUND_GROUPS_SECONDS"])
    if cache is not None and cached_at is not None and now - cached_at < ttl:
        return cache, False
    votes, sectors = cg.load_votes(round_.id, shown_ids)
    groups = cg.find_groups(votes, sectors, params)
    db.session.execute(update(Round).where(Round.id == round_.id).values(
        groups_cache=groups, groups_version=version, groups_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return groups, True


def refresh_groups(round_id: int) -> None:
    """Recompute a round's groups now (for a job or the demo data)."""
    round_ = rounds.get(round_id)
    db.session.execute(update(Round).where(Round.id == round_.id).values(groups_at=None,
                                                                          groups_version=None))
    groups_of(round_, cg.shown_statement_ids(round_.id))
