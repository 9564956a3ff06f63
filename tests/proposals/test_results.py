"""Results: exact counts overall and by sector, verified figures beside everyone's, and the
plain-words summary in both languages. The summary rules are tested on constructed counts."""
from __future__ import annotations

from flask_babel import force_locale

from forum.models.accounts import Sector
from forum.services.deliberation import positions, results
from tests import factories
from tests.proposals.conftest import make_proposal


def _numbers(spec: dict[str, dict[str, int]], verified: dict | None = None) -> dict:
    """Counts as `results.counts` gives them, from {sector: {stance: n}}."""
    def group(source):
        out = {"total": results._empty(), "sectors": {s.value: results._empty() for s in Sector}}
        for sector, stances in source.items():
            for stance, n in stances.items():
                for cell in (out["total"], out["sectors"][sector]):
                    cell[stance] += n
                    cell["count"] += n
        return out
    return {"all": group(spec), "verified": group(verified or {})}


EVERY_SECTOR_FOR = {s.value: {"agree": 3, "disagree": 1} for s in Sector}


def test_every_sector_with_a_majority_for_is_said_so(app):
    lines = results.summary(_numbers(EVERY_SECTOR_FOR))
    assert "Every sector has a majority for." in lines
    assert not any("block" in line.lower() and "0 block" not in line for line in lines[1:])


def test_a_split_sector_is_named(app):
    spec = {**EVERY_SECTOR_FOR, "business": {"agree": 2, "disagree": 2}}
    lines = results.summary(_numbers(spec))
    assert "Business: split." in lines
    assert any(line.startswith("Politics,") and line.endswith(": a majority for.")
               for line in lines)


def test_one_block_from_civil_service(app):
    spec = {**EVERY_SECTOR_FOR, "civil_service": {"agree": 3, "block": 1}}
    assert "One block, from civil service." in results.summary(_numbers(spec))


def test_several_blocks_are_counted_by_sector(app):
    spec = {"politics": {"block": 2, "agree": 1}, "business": {"block": 1, "agree": 4}}
    lines = results.summary(_numbers(spec))
    assert "3 blocks: 2 from politics and 1 from business." in lines
    assert "Politics: a majority against." in lines


def test_sectors_without_positions_are_named(app):
    lines = results.summary(_numbers({"politics": {"agree": 1}, "resident": {"agree": 2}}))
    assert "Every sector that has taken part has a majority for." in lines
    assert ("No positions yet from civil service, business, civil society, and academia."
            in lines)


def test_abstaining_sector_is_described(app):
    lines = results.summary(_numbers({"academia": {"abstain": 3, "agree": 1},
                                      "politics": {"agree": 2}}))
    assert "Academia: most stand aside." in lines


def test_no_positions_yet(app):
    assert results.summary(_numbers({})) == ["No positions yet."]


def test_verified_figures_are_given_when_they_differ(app):
    lines = results.summary(_numbers({"politics": {"agree": 2, "disagree": 1}},
                                     verified={"politics": {"disagree": 1}}))
    assert lines[0] == ("3 members have taken a position (1 verified): 2 agree, 0 abstain, "
                        "1 disagree, 0 block.")
    assert "Verified members alone: 0 agree, 0 abstain, 1 disagree, 0 block." in lines


def test_summary_is_written_in_swedish_too(app):
    spec = {**EVERY_SECTOR_FOR, "business": {"agree": 2, "disagree": 2}}
    with force_locale("sv"):
        lines = results.summary(_numbers(spec))
    assert "Näringsliv: delade meningar." in lines
    both = results.summaries(_numbers(spec))
    assert set(both) == {"sv", "en"} and both["sv"] != both["en"]


def test_counts_come_from_the_stored_positions_by_sector_and_verification(db):
    made = make_proposal()
    for sector, stance, verified in [
            (Sector.POLITICS, "agree", True), (Sector.POLITICS, "disagree", False),
            (Sector.BUSINESS, "block", True), (Sector.RESIDENT, "abstain", False)]:
        positions.take(factories.make_user(sector=sector, verified=verified), made.id, stance,
                       "Reason")
    numbers = results.counts(made.id)
    assert numbers["all"]["total"] == {"agree": 1, "abstain": 1, "disagree": 1, "block": 1,
                                       "count": 4}
    assert numbers["verified"]["total"]["count"] == 2
    assert numbers["all"]["sectors"]["politics"] == {"agree": 1, "abstain": 0, "disagree": 1,
                                                     "block": 0, "count": 2}
    assert numbers["verified"]["sectors"]["business"]["block"] == 1
    assert numbers["all"]["sectors"]["academia"]["count"] == 0


def test_results_page_has_captioned_tables_and_a_text_summary(db, client):
    made = make_proposal()
    positions.take(factories.make_user(sector=Sector.ACADEMIA), made.id, "agree", "")
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "<caption>Positions by sector, all members: " in page
    assert "<caption>Positions by sector, verified members alone: " in page
    assert '<th scope="row">Academia</th>' in page and '<th scope="col">Block</th>' in page
    assert 'data-count="all.sectors.academia.agree">1</td>' in page
    assert "1 member has taken a position (0 verified)" in page


def test_page_in_swedish_shows_the_swedish_summary(db, client):
    made = make_proposal()
    positions.take(factories.make_user(), made.id, "agree", "")
    client.set_cookie("radslag_lang", "sv")
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "1 medlem har tagit ställning" in page
