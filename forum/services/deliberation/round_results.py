"""The results page of a statement round, read from the per-sector counters (kept with every
vote) and the opinion groups as the job last stored them (round_groups.py): never computed
here. Only counts leave here, never who voted how.

Each process also keeps the last results of each round, keyed by the round's version: while
nothing changes a page costs one small query and the template; while votes arrive the results
are recomputed at most every ROUND_RESULTS_SECONDS."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from forum.extensions import db
from forum.models.accounts import Sector
from forum.models.rounds import Round, Statement, StatementVote
from forum.services.deliberation import common_ground as cg
from forum.services.deliberation import round_groups, rounds

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
    groups: dict  # as common_ground.find_groups gives it, or {"status": "computing"}
    group_views: list[GroupView]
    common: list[cg.StatementResult]
    voters: int
    votes: int
    groups_current: bool  # False: the groups count an earlier version than the counters
    version: int = 0  # the round's version these results count
    groups_at: datetime | None = None  # when the groups shown were computed


# round (id, created) -> ((version, groups' time), when computed, results); created tells
# apart rounds of databases that reuse ids (tests).
_LAST: dict[tuple[int, str], tuple[tuple, float, Results]] = {}
_KEEP = 64  # rounds remembered per process


def results(viewer, round_id) -> Results:
    round_ = rounds.for_viewer(viewer, round_id)
    return latest(round_)


def latest(round_: Round) -> Results:
    """The round's results: the process's last ones while neither the round nor its stored
    groups have changed (or the round changed less than ROUND_RESULTS_SECONDS ago), else
    computed anew. New groups from the job always show at once."""
    key = (round_.id, round_.created_at.isoformat())
    state = tuple(db.session.execute(select(Round.version, Round.groups_at)
                                     .where(Round.id == round_.id)).one())
    held, now = _LAST.get(key), time.monotonic()
    fresh = current_app.config["ROUND_RESULTS_SECONDS"]
    if held is not None and (held[0] == state or (
            held[0][1] == state[1] and now - held[1] < fresh)):
        return replace(held[2], round=round_)
    found = compute(round_)
    if len(_LAST) >= _KEEP:
        _LAST.pop(min(_LAST, key=lambda k: _LAST[k][1]))
    _LAST[key] = ((found.version, found.groups_at), now, found)
    return found


def compute(round_: Round, params: cg.Params = PARAMS) -> Results:
    version = db.session.scalar(select(Round.version).where(Round.id == round_.id))
    shown = {i: StatementView(i, text) for i, text in db.session.execute(
        select(Statement.id, Statement.text).where(
            Statement.round_id == round_.id, Statement.status == "published",
            Statement.hidden_at.is_(None)).order_by(Statement.id))}
    cells, present = cg.load_cells(round_.id, shown)
    by_sector = cg.by_sector(cells, present, params)
    stored = round_groups.stored(round_.id)
    groups, current = _groups(round_, stored, version, votes_cast(cells))
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
        voters=voters, votes=votes, groups_current=current, version=version,
        groups_at=stored.at)


def votes_cast(cells: dict) -> int:
    return sum(c.n for row in cells.values() for c in row.values())


def _groups(round_: Round, stored: round_groups.Stored, version: int, votes: int
            ) -> tuple[dict, bool]:
    """The stored groups and whether they count the round's latest version. Without any yet:
    "not enough voters" when nobody has voted (a fact), else "computing". A round whose
    groups are behind and have no run waiting (a lost job) gets one queued."""
    if stored.version != version and not stored.queued:
        round_groups.queue_if_stale(round_.id)
    if stored.groups is not None:
        return stored.groups, stored.version == version
    if votes == 0:
        return {"status": "not_enough_voters", "voters": 0,
                "needed": max(PARAMS.min_voters, 3)}, True
    return {"status": "computing"}, False


def refresh_groups(round_id: int) -> None:
    """Compute a round's groups here and now (the demo data; the job does it otherwise)."""
    round_groups.compute_now(rounds.get(round_id).id)
