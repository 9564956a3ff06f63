"""The live room in headless Chromium: the browser client connects, sends by keyboard, shows
and announces what others send. Uses the browser suite's server and fixtures."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _room(demo_page, live_server, who: str):
    page = demo_page(who, language="en")
    page.goto(f"/live/{live_server.facts['live_session_ids']['live']}")
    page.wait_for_selector("#live-connection[data-state=connected]")
    page.wait_for_selector("#live-chat li")  # history arrives through the join catch-up
    return page


def test_chat_typed_by_keyboard_reaches_another_browser(demo_page, live_server):
    sara, omar = _room(demo_page, live_server, "sara"), _room(demo_page, live_server, "omar")
    sara.focus("#live-chat-body")
    sara.keyboard.type("Hello from the keyboard")
    sara.keyboard.press("Enter")
    omar.locator("#live-chat li", has_text="Hello from the keyboard").wait_for()
    omar.locator("#live-announcer", has_text="Hello from the keyboard").wait_for(state="attached")
    mine = sara.locator("#live-chat li", has_text="Hello from the keyboard")
    mine.locator(".live-chat__who", has_text="You").wait_for()


def test_room_draws_questions_polls_and_presence(demo_page, live_server):
    page = _room(demo_page, live_server, "maria")
    assert page.locator("#live-questions li").count() >= 2
    assert page.locator(".live-poll").count() >= 1
    page.locator("#live-presence-count", has_text=re.compile(r"\d")).wait_for()
    assert page.locator("#live-moderation").is_hidden()
