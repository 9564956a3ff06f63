"""The results page of a statement round, read from the per-sector counters (kept with every
vote) and the opinion groups, which are cached on the round with the version they were
computed at and recomputed at most every ROUND_GROUPS_SECONDS (or at once when nothing changed
since: then the cache is simply current). Only counts leave here, never who voted how."""
from __future__ import annotations

from dataclasses import dataclass
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


@dataclass
class GroupView:
    label: str
    size: int
    sectors: dict[str, int]
    agrees: list[tuple[Statement, float]]


@dataclass
class Results:
    round: Round
    params: cg.Params
    sectors: list[str]  # sectors that voted in the round
    missing: list[str]  # sectors that did not
    statements: dict[int, Statement]
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


def results(viewer, round_id) -> Results:
    round_ = rounds.for_viewer(viewer, round_id)
    return compute(round_)


def compute(round_: Round, params: cg.Params = PARAMS) -> Results:
    shown = {s.id: s for s in db.session.scalars(select(Statement).where(
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
        voters=voters, votes=votes, groups_current=current)


def groups_of(round_: Round, shown_ids: list[int], params: cg.Params = PARAMS
              ) -> tuple[dict, bool]:
    """The round's opinion groups: the cached ones while they are current or younger than
    ROUND_GROUPS_SECONDS, else computed now and stored. (groups, current?)"""
    db.session.refresh(round_, ["version", "groups_cache", "groups_version", "groups_at"])
    cache, now = round_.groups_cache, utcnow()
    if cache is not None and round_.groups_version == round_.version:
        return cache, True
    ttl = timedelta(seconds=current_app.config["ROUND_GROUPS_SECONDS"])
    if cache is not None and round_.groups_at is not None and now - round_.groups_at < ttl:
        return cache, False
    version = round_.version
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
    round_.groups_at = None
    db.session.commit()
    groups_of(round_, cg.shown_statement_ids(round_.id))
