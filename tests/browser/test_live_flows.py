"""A live session in two browsers at once, run by a moderator in a third, and the live room and
the post form used with the keyboard alone."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

WITHIN_A_SECOND = 1000  # ms


def _room(person_page, live_server, who: str, session: str):
    page = person_page(who)
    page.goto(f"/live/{live_server.facts['live_session_ids'][session]}")
    page.wait_for_selector("#live-connection[data-state=connected]")
    return page


def _arrives(page, selector: str, text: str, started: float) -> None:
    """The text shows up in the other browser within a second of being sent."""
    page.locator(selector, has_text=text).wait_for(timeout=WITHIN_A_SECOND)
    assert time.monotonic() - started < 1.0


def _question_order(page) -> list[str]:
    return page.locator("#live-questions > li").evaluate_all("items => items.map(i => i.id)")


def test_two_browsers_share_chat_questions_votes_and_polls_until_archive(person_page, live_server):
    mod = _room(person_page, live_server, "mod", "flow")
    strings = mod.evaluate("JSON.parse(document.getElementById('live-strings').textContent)")
    mod.locator("[data-moderate=start]").click()
    mod.locator("#live-announcer", has_text=strings["session_started"]).wait_for(state="attached")
    omar = _room(person_page, live_server, "omar", "flow")  # politics
    maria = _room(person_page, live_server, "maria", "flow")  # business

    started = time.monotonic()
    omar.fill("#live-chat-body", "God kväll från kommunhuset!")
    omar.locator("#live-chat-form button[type=submit]").click()
    _arrives(maria, "#live-chat li", "God kväll från kommunhuset!", started)

    started = time.monotonic()
    omar.fill("#live-ask-body", "Hur många sommarjobb kan staden erbjuda?")
    omar.locator("#live-ask-form button[type=submit]").click()
    _arrives(maria, "#live-questions li", "Hur många sommarjobb", started)
    maria.fill("#live-ask-body", "Kan företagen få hjälp med handledning?")
    maria.locator("#live-ask-form button[type=submit]").click()
    omar.locator("#live-questions li", has_text="handledning").wait_for(timeout=WITHIN_A_SECOND)
    first, second = _question_order(maria)
    assert "sommarjobb" in maria.locator(f"#{first}").inner_text()

    # Omar's upvote lifts Maria's question above his own, in Maria's browser too
    omar.locator(f"#{second} button[aria-pressed=false]").click()
    maria.wait_for_function(
        "id => document.querySelector('#live-questions > li').id === id", arg=second,
        timeout=WITHIN_A_SECOND)
    assert _question_order(maria) == [second, first]

    # a poll: each vote shows up in the sector breakdown of everyone's results table
    mod.fill("#live-poll-question", "Ska staden garantera sommarjobb till alla 16-åringar?")
    mod.fill("#live-poll-choices", "Ja\nNej\nVet inte")
    mod.locator("#live-poll-form button[type=submit]").click()
    omar.locator(".live-poll form").wait_for()
    omar.locator(".live-poll input[value='0']").check()
    omar.locator(".live-poll form button[type=submit]").click()
    sectors = strings["sectors"]
    rows = maria.locator(".live-results tbody tr")
    rows.filter(has_text=sectors["politics"]).wait_for(timeout=WITHIN_A_SECOND)
    maria.locator(".live-poll input[value='1']").check()
    maria.locator(".live-poll form button[type=submit]").click()
    omar.locator(".live-results tbody tr", has_text=sectors["business"]).wait_for(
        timeout=WITHIN_A_SECOND)
    politics = omar.locator(".live-results tbody tr", has_text=sectors["politics"])
    assert politics.locator("td").all_inner_texts() == ["1", "0", "0"]

    # the moderator ends the session; its archive thread holds what was said
    mod.locator("[data-moderate=end]").click()
    maria.locator("#live-announcer", has_text=strings["session_ended"]).wait_for(state="attached")
    link = maria.locator("main .notice--success a[href^='/threads/']")  # the room reloads itself
    link.wait_for(timeout=10_000)
    archive = link.get_attribute("href")
    response = maria.goto(archive)
    assert response.status == 200
    text = maria.locator("main").inner_text()
    assert "Hur många sommarjobb kan staden erbjuda?" in text
    assert "Kan företagen få hjälp med handledning?" in text


def _tab_to(page, selector: str, limit: int = 120) -> int:
    """Press Tab until the focused element matches; fails if it is never reached."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has no visible focus indicator"
            return presses
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_live_room_works_with_the_keyboard_alone(person_page, live_server):
    leila = _room(person_page, live_server, "leila", "live")
    sara = _room(person_page, live_server, "sara", "live")
    _tab_to(leila, "#live-chat-body")
    leila.keyboard.type("Hej från tangentbordet")
    leila.keyboard.press("Enter")
    sara.locator("#live-chat li", has_text="Hej från tangentbordet").wait_for()

    _tab_to(leila, "#live-ask-body")
    leila.keyboard.type("Vilka mötesplatser finns för unga i Drottninghög?")
    _tab_to(leila, "#live-ask-form button[type=submit]")
    leila.keyboard.press("Enter")
    sara.locator("#live-questions li", has_text="mötesplatser").wait_for()
    assert leila.evaluate("document.activeElement.id") == "live-ask-body"  # focus stays put

    _tab_to(sara, "#live-questions button[aria-pressed=false]")
    sara.keyboard.press("Space")
    sara.locator("#live-questions button[aria-pressed=true]").first.wait_for()

    _tab_to(leila, "#live-hand")
    leila.keyboard.press("Enter")
    leila.locator("#live-hand[aria-pressed=true]").wait_for()
    leila.keyboard.press("Enter")
    leila.locator("#live-hand[aria-pressed=false]").wait_for()


def test_post_form_works_with_the_keyboard_alone(person_page, live_server):
    page = person_page("per")
    page.goto(f"/topics/{live_server.facts['topic_id']}/threads/new")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    _tab_to(page, "main input[name=title]", limit=20)
    page.keyboard.type("Praktik som väg in i arbetslivet")
    _tab_to(page, "main textarea[name=body]", limit=5)
    page.keyboard.type("Forskningen visar att tidiga kontakter med arbetsgivare hjälper.")
    _tab_to(page, "main form button[type=submit]", limit=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Praktik som väg in i arbetslivet"
    assert page.locator("article.post", has_text="tidiga kontakter med arbetsgivare").count() == 1
