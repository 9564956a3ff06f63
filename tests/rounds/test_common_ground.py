"""The common-ground computation on constructed data (no database)."""
from __future__ import annotations

import random

from forum.services.deliberation import common_ground as cg
from forum.services.deliberation.common_ground import Cell, Params

SECTORS = ["politics", "civil_service", "business", "civil_society", "academia", "resident"]


def test_a_statement_every_sector_agrees_with_is_broad():
    cells = {1: {s: Cell(agree=8, disagree=1, passed=1) for s in SECTORS},
             2: {s: Cell(agree=3, disagree=6, passed=1) for s in SECTORS}}
    results = cg.by_sector(cells, SECTORS)
    assert [r.id for r in cg.broad(results)] == [1]
    assert results[1].verdict == "broad" and results[1].shares["business"] == 0.8
    assert results[2].verdict == "not_broad"
    assert cg.divisive(results) == []


def test_one_only_business_agrees_with_is_divisive_not_broad():
    cells = {7: {s: Cell(agree=0, disagree=9, passed=1) for s in SECTORS}}
    cells[7]["business"] = Cell(agree=10)
    results = cg.by_sector(cells, SECTORS)
    assert results[7].verdict == "not_broad"
    assert [r.id for r in cg.divisive(results)] == [7]
    assert results[7].gap == 1.0


def test_too_few_votes_in_a_sector_say_not_enough_never_a_figure():
    cells = {3: {s: Cell(agree=9, disagree=1) for s in SECTORS}}
    cells[3]["academia"] = Cell(agree=2)  # below min_sector_votes (5)
    results = cg.by_sector(cells, SECTORS)
    assert results[3].verdict == "not_enough"
    assert results[3].shares["academia"] is None and results[3].short == ["academia"]
    assert cg.broad(results) == []
    # a sector with too few votes gives no share, so no gap is made up from it either
    lone = cg.by_sector({4: {"politics": Cell(agree=9, disagree=1)}}, ["politics", "resident"])
    assert lone[4].gap is None and lone[4].shares["resident"] is None


def test_a_sector_with_enough_votes_against_makes_it_not_broad_even_if_others_are_short():
    cells = {5: {"politics": Cell(disagree=9), "resident": Cell(agree=1)}}
    assert cg.by_sector(cells, ["politics", "resident"])[5].verdict == "not_broad"


def _planted(seed=1, per_group=30, noise=0.1):
    """Two opinion groups that cut across sectors: group X agrees with statements 1-10 and
    disagrees with 11-20, group Y the reverse; both agree with 21-23. Each group holds members
    of every sector."""
    rng = random.Random(seed)
    votes, sectors, truth = [], {}, {}
    for member in range(1, 2 * per_group + 1):
        group = "X" if member <= per_group else "Y"
        truth[member] = group
        sectors[member] = SECTORS[member % len(SECTORS)]
        for statement in range(1, 24):
            if statement > 20:
                choice = "agree"
            else:
                likes = (statement <= 10) == (group == "X")
                choice = "agree" if likes else "disagree"
            if rng.random() < noise:
                choice = rng.choice(["agree", "disagree", "pass"])
            votes.append((member, statement, choice))
    return votes, sectors, truth


def test_two_planted_opinion_groups_across_sectors_are_recovered():
    votes, sectors, _truth = _planted()
    groups = cg.find_groups(votes, sectors)
    assert groups["status"] == "ok" and groups["k"] == 2
    found = cg.find_groups(votes, sectors)  # stable: the same answer again
    assert found == groups
    a, b = groups["groups"]
    assert a["size"] + b["size"] == 60
    # each group agrees with its own block and both with the shared statements
    shown = list(range(1, 24))
    agrees = [{s for s, _v in cg.group_agrees_on(g, shown)} for g in groups["groups"]]
    blocks = [set(range(1, 11)), set(range(11, 21))]
    assert {frozenset(x - {21, 22, 23}) for x in agrees} == {frozenset(b) for b in blocks}
    assert all({21, 22, 23} <= x for x in agrees)
    # every sector is spread over both groups
    for group in groups["groups"]:
        assert set(group["sectors"]) == set(SECTORS)
    # the shared statements are common ground; the blocks are not
    cells = {s: {} for s in shown}
    for member, statement, choice in votes:
        key = {"agree": "agree", "disagree": "disagree", "pass": "passed"}[choice]
        cell = cells[statement].setdefault(sectors[member], Cell())
        setattr(cell, key, getattr(cell, key) + 1)
    results = cg.by_sector(cells, SECTORS)
    assert {r.id for r in cg.common_ground(results, groups)} == {21, 22, 23}


def test_too_few_voters_find_no_groups_and_no_common_ground():
    votes = [(m, s, "agree") for m in range(1, 6) for s in range(1, 5)]
    groups = cg.find_groups(votes, {m: "politics" for m in range(1, 6)})
    assert groups == {"status": "not_enough_voters", "voters": 5, "needed": 10}
    cells = {s: {"politics": Cell(agree=5)} for s in range(1, 5)}
    results = cg.by_sector(cells, ["politics"])
    assert len(cg.broad(results)) == 4
    assert cg.common_ground(results, groups) == []


def test_members_with_too_few_votes_are_left_out_of_the_groups():
    votes, sectors, _truth = _planted(per_group=6)
    votes += [(999, 1, "agree"), (999, 2, "agree")]  # two votes: below min_member_votes
    groups = cg.find_groups(votes, {**sectors, 999: "resident"}, Params(min_voters=10))
    assert groups["voters"] == 12
