"""Common ground in a statement round: the whole computation, on plain data.

Three readings of the votes (agree / disagree / pass):

* **By sector.** For each statement and each declared sector that voted in the round, the
  share of that sector's votes that agree. A statement has *broad agreement* when every such
  sector has at least `min_sector_votes` votes on it and agrees above `agree_share`. When a
  sector has too few votes the answer is "not enough votes", never a guessed figure.
* **Divides.** Among the sectors with enough votes, the gap between the most and the least
  agreeing one; statements with a gap of at least `divide_gap` divide the sectors.
* **Opinion groups.** Found from the votes alone, as Pol.is does: a member × statement matrix
  (agree +1, disagree -1, pass or not seen 0) is reduced to two dimensions with PCA and
  clustered with k-means, k from 2 to 5 chosen by the silhouette score. It needs at least
  `min_voters` members with `min_member_votes` votes each. A group agrees with a statement
  when enough of its members voted on it and their agree share is above `agree_share`.

*Common ground* is what every opinion group and every sector agrees with.

The functions here take plain values (so the unit tests build data by hand); `load_*` read
the round's counters and votes from the database."""
from __future__ import annotations

import string
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from forum.extensions import db
from forum.models.accounts import Sector
from forum.models.discussion import PostStatus
from forum.models.rounds import Choice, Statement, StatementTally, StatementVote

if TYPE_CHECKING:
    import numpy as np

SECTORS = [s.value for s in Sector]
VALUE = {Choice.AGREE.value: 1.0, Choice.DISAGREE.value: -1.0, Choice.PASS.value: 0.0}


@dataclass(frozen=True)
class Params:
    agree_share: float = 0.6  # more than this share agrees: "agrees"
    min_sector_votes: int = 5  # votes a sector needs on a statement before we say anything
    divide_gap: float = 0.3  # gap between sectors' agree shares that counts as a divide
    min_voters: int = 10  # members (with min_member_votes) needed to look for groups
    min_member_votes: int = 3
    min_group_votes: int = 3  # votes a group needs on a statement before we say anything
    max_groups: int = 5
    shown: int = 10  # statements listed per heading


@dataclass
class Cell:
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def n(self) -> int:
        return self.agree + self.disagree + self.passed

    def share(self, minimum: int) -> float | None:
        """The agree share, or None with fewer than `minimum` votes (not enough to say)."""
        return self.agree / self.n if self.n >= minimum and self.n else None


@dataclass
class StatementResult:
    id: int
    cells: dict[str, Cell]  # by sector
    verdict: str = "not_enough"  # "broad", "not_broad" or "not_enough"
    shares: dict[str, float | None] = field(default_factory=dict)
    short: list[str] = field(default_factory=list)  # sectors with too few votes
    gap: float | None = None

    @property
    def total(self) -> Cell:
        return Cell(sum(c.agree for c in self.cells.values()),
                    sum(c.disagree for c in self.cells.values()),
                    sum(c.passed for c in self.cells.values()))


def by_sector(cells: Mapping[int, Mapping[str, Cell]], sectors: Iterable[str],
              params: Params = Params()) -> dict[int, StatementResult]:
    """Each statement's verdict over `sectors` (those that voted in the round)."""
    sectors = [s for s in SECTORS if s in set(sectors)]
    out = {}
    for statement_id, row in cells.items():
        result = StatementResult(statement_id, {s: row.get(s, Cell()) for s in sectors})
        for sector in sectors:
            result.shares[sector] = result.cells[sector].share(params.min_sector_votes)
        known = [v for v in result.shares.values() if v is not None]
        result.short = [s for s, v in result.shares.items() if v is None]
        if not sectors:
            result.verdict = "not_enough"
        elif any(v <= params.agree_share for v in known):
            result.verdict = "not_broad"
        elif result.short:
            result.verdict = "not_enough"
        else:
            result.verdict = "broad"
        if len(known) >= 2:
            result.gap = max(known) - min(known)
        out[statement_id] = result
    return out


def broad(results: Mapping[int, StatementResult]) -> list[StatementResult]:
    """Statements every sector agrees with, most agreed first (the weakest sector decides)."""
    found = [r for r in results.values() if r.verdict == "broad"]
    return sorted(found, key=lambda r: (-min(r.shares.values()), r.id))


def divisive(results: Mapping[int, StatementResult], params: Params = Params()
             ) -> list[StatementResult]:
    """Statements whose sectors' agree shares lie at least `divide_gap` apart, widest first."""
    found = [r for r in results.values() if r.gap is not None and r.gap >= params.divide_gap]
    return sorted(found, key=lambda r: (-r.gap, r.id))


# --- Opinion groups ---------------------------------------------------------------------------


def find_groups(votes: Iterable[tuple[int, int, str]], sectors: Mapping[int, str],
                params: Params = Params()) -> dict:
    """Opinion groups from (member, statement, choice) triples; `sectors` gives each member's
    declared sector. Returns plain data (it is cached as JSON):

    {"status": "ok", "voters": n, "k": k, "silhouette": s, "groups": [{"label", "size",
    "sectors": {sector: members}, "cells": {statement: [agree, votes]}}]}, largest group
    first; or {"status": "not_enough_voters", "voters": n, "needed": m}."""
    by_member: dict[int, dict[int, float]] = defaultdict(dict)
    for member, statement, choice in votes:
        by_member[member][statement] = VALUE[choice]
    members = sorted(m for m, row in by_member.items() if len(row) >= params.min_member_votes)
    if len(members) < max(params.min_voters, 3):
        return {"status": "not_enough_voters", "voters": len(members),
                "needed": max(params.min_voters, 3)}
    import numpy as np  # here, not at the top: numpy and scikit-learn cost every process
    # that builds the app about a second of CPU at start, and only this computation needs them

    statements = sorted({s for m in members for s in by_member[m]})
    column = {s: i for i, s in enumerate(statements)}
    matrix = np.zeros((len(members), len(statements)))
    for row, member in enumerate(members):
        for statement, value in by_member[member].items():
            matrix[row, column[statement]] = value
    labels, k, score = _cluster(matrix, params)
    return {"status": "ok", "voters": len(members), "k": k, "silhouette": round(score, 3),
            "groups": _describe(labels, members, by_member, sectors)}


def _cluster(matrix: np.ndarray, params: Params) -> tuple[list[int], int, float]:
    """k-means on the PCA projection, the k with the best silhouette (ties: fewer groups)."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    components = min(2, matrix.shape[0] - 1, matrix.shape[1])
    points = PCA(n_components=components, random_state=0).fit_transform(matrix) \
        if components >= 1 else np.zeros((matrix.shape[0], 1))
    best = None
    distinct = len(np.unique(points.round(9), axis=0))  # members often vote alike
    for k in range(2, min(params.max_groups, len(points) - 1, distinct) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(points)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(points, labels))
        if best is None or score > best[2] + 1e-9:
            best = (labels, k, score)
    if best is None:  # every member voted alike: one group
        return [0] * len(points), 1, 0.0
    return [int(x) for x in best[0]], best[1], best[2]


def _describe(labels: list[int], members: list[int], by_member: Mapping[int, Mapping[int, float]],
              sectors: Mapping[int, str]) -> list[dict]:
    """Groups with stable labels: largest first, ties by their lowest member id."""
    clusters: dict[int, list[int]] = defaultdict(list)
    for label, member in zip(labels, members, strict=True):
        clusters[label].append(member)
    ordered = sorted(clusters.values(), key=lambda ms: (-len(ms), min(ms)))
    groups = []
    for letter, group in zip(string.ascii_uppercase, ordered, strict=False):
        cells: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for member in group:
            for statement, value in by_member[member].items():
                cells[statement][1] += 1
                if value > 0:
                    cells[statement][0] += 1
        spread = Counter(sectors.get(m, "") for m in group)
        groups.append({"label": letter, "size": len(group),
                       "sectors": {s: spread[s] for s in SECTORS if spread[s]},
                       "cells": {str(s): c for s, c in sorted(cells.items())}})
    return groups


def group_share(group: dict, statement_id: int, params: Params = Params()) -> float | None:
    """A group's agree share on a statement, or None with too few of its votes."""
    agree, n = group["cells"].get(str(statement_id), (0, 0))
    return agree / n if n >= params.min_group_votes else None


def group_agrees_on(group: dict, shown_ids: Iterable[int], params: Params = Params()
                    ) -> list[tuple[int, float]]:
    """(statement, share) a group agrees with, most agreed first."""
    found = [(s, group_share(group, s, params)) for s in shown_ids]
    found = [(s, v) for s, v in found if v is not None and v > params.agree_share]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def common_ground(results: Mapping[int, StatementResult], groups: dict,
                  params: Params = Params()) -> list[StatementResult]:
    """Statements with broad agreement in every sector that every opinion group agrees with
    too. Empty without opinion groups: we do not claim what we cannot see."""
    if groups.get("status") != "ok":
        return []
    found = []
    for result in broad(results):
        shares = [group_share(g, result.id, params) for g in groups["groups"]]
        if all(v is not None and v > params.agree_share for v in shares):
            found.append(result)
    return found


# --- Reading the round ------------------------------------------------------------------------


def shown_statement_ids(round_id: int) -> list[int]:
    return list(db.session.scalars(select(Statement.id).where(
        Statement.round_id == round_id, Statement.status == PostStatus.PUBLISHED,
        Statement.hidden_at.is_(None)).order_by(Statement.id)))


def load_cells(round_id: int, statement_ids: Iterable[int]) -> tuple[dict, set[str]]:
    """The per-sector counters of the round's shown statements, and the sectors that voted."""
    wanted = set(statement_ids)
    cells: dict[int, dict[str, Cell]] = {s: {} for s in wanted}
    present: set[str] = set()
    rows = db.session.execute(select(
        StatementTally.statement_id, StatementTally.sector, StatementTally.agree,
        StatementTally.disagree, StatementTally.passed).where(
        StatementTally.round_id == round_id))
    for statement_id, sector, agree, disagree, passed in rows:
        if agree + disagree + passed:
            present.add(sector.value)
        if statement_id in wanted:
            cells[statement_id][sector.value] = Cell(agree, disagree, passed)
    return cells, present


def load_votes(round_id: int, statement_ids: Iterable[int]) -> tuple[list, dict[int, str]]:
    """Every vote on the round's shown statements, and each voter's sector (their latest)."""
    wanted = set(statement_ids)
    votes, sectors = [], {}
    rows = db.session.execute(select(
        StatementVote.user_id, StatementVote.statement_id, StatementVote.choice,
        StatementVote.sector).where(StatementVote.round_id == round_id)
        .order_by(StatementVote.updated_at))
    for user_id, statement_id, choice, sector in rows:
        if statement_id in wanted:
            votes.append((user_id, statement_id, choice.value))
            sectors[user_id] = sector.value
    return votes, sectors
