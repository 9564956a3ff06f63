"""Pictures of the main pages at desktop and phone width, for the README.

Each run takes them and checks the phone view does not scroll sideways. They are written to
docs/screenshots/ when UPDATE_SCREENSHOTS=1 (so an ordinary test run leaves the checkout alone),
otherwise to a temporary folder.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# name, who looks, path from the prepared ids, selector to wait for
SHOTS = [
    ("home", None, lambda f: "/", None),
    ("focus-area", None, lambda f: f"/areas/{f['area_slugs'][0]}", None),
    ("topic", None, lambda f: f"/topics/{f['topic_id']}", None),
    ("thread", "omar", lambda f: f"/threads/{f['thread_id']}", None),
    ("live-room", "omar", lambda f: f"/live/{f['live_session_ids']['live']}", "#live-chat li"),
    ("moderation-queue", "mod", lambda f: "/moderation/queue", None),
    ("moderation-log", None, lambda f: "/moderation/log", None),
    ("register", None, lambda f: "/register", None),
    ("profile", None, lambda f: f"/members/{f['users']['anna']}", None),
]


@pytest.fixture(scope="module")
def shot_folder(tmp_path_factory) -> Path:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize(("name", "who", "path", "ready"), SHOTS, ids=[s[0] for s in SHOTS])
def test_screenshot_of_main_page(signed_in_pages, live_server, shot_folder, name, who, path,
                                 ready):
    page = signed_in_pages.page(who, "sv")
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        response = page.goto(path(live_server.facts))
        assert response.status == 200
        if ready:
            page.wait_for_selector(ready)
            if name == "live-room":  # picture the room itself, not the session's details
                page.evaluate("document.getElementById('live-room').scrollIntoView({behavior: 'instant'})")
        page.evaluate("document.fonts.ready")
        target = shot_folder / f"{name}-{width}.png"
        page.screenshot(path=str(target), animations="disabled", caret="hide")
        assert target.stat().st_size > 10_000  # a drawn page, not a blank one
        if width == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
    page.set_viewport_size(DESKTOP)
