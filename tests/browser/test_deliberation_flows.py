"""Proposals in two browsers: in a live session one member opens a proposal, both take
positions, and each sees the other's position in the tallies without reloading; on an
ordinary proposal page, results follow positions taken elsewhere."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WITHIN = 3000  # ms: the room's events arrive well within this on a loaded machine


def _room(person_page, session_id: int, who: str):
    page = person_page(who)
    page.goto(f"/live/{session_id}")
    page.wait_for_selector("#live-connection[data-state=connected]")
    return page


def _cell(page, proposal_id: str, path: str):
    return page.locator(f"[data-proposal-live='{proposal_id}'] [data-count='{path}']").first


def test_two_members_see_each_others_positions_without_reloading(person_page, live_server):
    session = live_server.facts["deliberation"]["session"]
    anna = _room(person_page, session, "anna")  # politics, verified
    maria = _room(person_page, session, "maria")  # business
    maria.evaluate("window.stayedOnThePage = true")  # gone if the page reloads

    anna.locator(f".session-proposals a[href='/live/{session}/proposals/new']").click()
    anna.fill("main input[name=title]", "Förläng samtalet med en kvart")
    anna.fill("main textarea[name=statement]", "Vi fortsätter till kvart över.")
    with anna.expect_navigation():
        anna.locator("main form button[type=submit]").click()
    anna.wait_for_selector("#live-connection[data-state=connected]")
    proposal_id = anna.url.rsplit("#proposal-", 1)[1]

    # the new proposal reaches Maria's room through the session's stream
    card = maria.locator(f"#proposal-{proposal_id}")
    card.wait_for(timeout=WITHIN)
    card.locator("input[value=agree]").check()
    card.locator("button[type=submit]").click()
    card.locator("[data-position-status]", has_text=" ").wait_for(timeout=WITHIN)

    # Anna's tally shows Maria's position (business: 1 agree) without her reloading
    anna.wait_for_function(
        "el => el.textContent === '1'", arg=_cell(anna, proposal_id,
                                                  "all.sectors.business.agree").element_handle(),
        timeout=WITHIN)
    anna_card = anna.locator(f"#proposal-{proposal_id}")
    anna_card.locator("input[value=disagree]").check()
    anna_card.locator("textarea[name=reason]").fill("Barnfamiljerna behöver komma hem.")
    anna_card.locator("button[type=submit]").click()

    # and Maria's tally shows Anna's (politics: 1 disagree; two positions in all)
    maria.wait_for_function(
        "el => el.textContent === '1'", arg=_cell(maria, proposal_id,
                                                  "all.sectors.politics.disagree").element_handle(),
        timeout=WITHIN)
    assert _cell(maria, proposal_id, "all.total.count").inner_text() == "2"
    summary = card.locator("[data-summary] li").first.inner_text()
    assert summary.startswith("2 medlemmar har tagit ställning")
    assert maria.evaluate("window.stayedOnThePage") is True


def test_a_proposal_page_follows_positions_taken_elsewhere(person_page, live_server):
    """Per reads the open proposal; Sara changes her position on her own page (a plain form
    post); Per's results change without his page reloading."""
    proposal = live_server.facts["deliberation"]["open"]
    per = person_page("per")
    per.goto(f"/proposals/{proposal}")
    per.evaluate("window.stayedOnThePage = true")
    before = int(_cell(per, proposal, "all.sectors.resident.agree").inner_text())
    per.wait_for_timeout(300)  # the watch is acknowledged

    sara = person_page("sara")
    sara.goto(f"/proposals/{proposal}")
    sara.locator("#position input[value=agree]").check()
    sara.locator("#position textarea[name=reason]").fill("Efter samrådet är jag med.")
    with sara.expect_navigation():
        sara.locator("#position button[type=submit]").click()
    assert "/proposals/" in sara.url

    per.wait_for_function(
        "([el, n]) => el.textContent === String(n)",
        arg=[_cell(per, proposal, "all.sectors.resident.agree").element_handle(), before + 1],
        timeout=WITHIN)
    assert per.evaluate("window.stayedOnThePage") is True
