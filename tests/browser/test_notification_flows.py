"""Following and notifications end to end in Chromium: a member follows a thread, another
replies, the bell count rises without a reload, the new notice is announced and listed, and
it leads to the reply."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_a_reply_in_a_followed_thread_rings_the_bell_without_a_reload(person_page):
    follower, writer = person_page("leila"), person_page("karin")
    follower.goto("/")
    href = follower.locator("main a[href^='/threads/']").first.get_attribute("href")
    thread_id = int(re.search(r"/threads/(\d+)", href).group(1))
    follower.goto(f"/threads/{thread_id}")
    unfollow = follower.locator(f"form[action='/unfollow/thread/{thread_id}']")
    if unfollow.count() == 0:
        follower.locator(f"form[action='/follow/thread/{thread_id}'] button").click()
        follower.wait_for_load_state()
    assert follower.locator(f"form[action='/unfollow/thread/{thread_id}'] button") \
        .get_attribute("aria-pressed") == "true"

    follower.goto("/notifications")
    follower.wait_for_selector("[data-bell][data-live=on]")
    before = int(follower.locator("[data-bell-number]").inner_text())
    follower.evaluate("window.__stillTheSamePage = true")

    writer.goto(f"/threads/{thread_id}/reply")
    writer.fill("textarea[name=body]", "Ett svar som följaren ska få veta om direkt.")
    writer.locator("main form button[type=submit]").click()
    writer.wait_for_load_state()
    reply_id = int(re.search(r"(?:/p/|#post-)(\d+)", writer.url).group(1))

    follower.wait_for_function(
        f"Number(document.querySelector('[data-bell-number]').textContent) > {before}")
    assert follower.evaluate("window.__stillTheSamePage") is True  # no reload
    assert follower.locator("[data-bell-count]").is_visible()
    announcer = follower.locator("#notice-announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    follower.wait_for_function(
        "document.getElementById('notice-announcer').textContent.includes('Karin')")
    newest = follower.locator("[data-notice-list] li").first
    assert "Karin Sjöberg" in newest.inner_text()
    newest.locator("a").click()
    follower.wait_for_load_state()
    assert f"post-{reply_id}" in follower.url or f"/p/{reply_id}" in follower.url
    assert follower.locator(f"#post-{reply_id}").count() == 1
