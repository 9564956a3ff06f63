"""Pages load everything from our own host: no fonts, scripts, analytics or sockets elsewhere.
(Every browser test checks this at teardown; here it is the subject, on the heaviest pages.)"""
from __future__ import annotations

import pytest

from tests.browser.conftest import Recorder, sign_in
from tests.browser.server import demo_email


def test_recorder_reports_other_hosts_and_ignores_inline_data():
    recorder = Recorder("http://127.0.0.1:5000")
    recorder.urls = ["http://127.0.0.1:5000/static/css/forum.css", "data:image/png;base64,AA",
                     "ws://127.0.0.1:5000/socket.io/?EIO=4", "https://fonts.example.com/a.css",
                     "http://127.0.0.1:5001/x", "http://localhost:5000/y"]
    assert recorder.foreign() == ["https://fonts.example.com/a.css", "http://127.0.0.1:5001/x",
                                  "http://localhost:5000/y"]


@pytest.mark.browser
def test_pages_and_live_room_talk_only_to_our_host(new_context, live_server):
    context = new_context()
    page = context.new_page()
    sign_in(page, demo_email("karin"))
    facts = live_server.facts
    for path in ("/", f"/areas/{facts['area_slugs'][1]}", f"/threads/{facts['thread_id']}",
                 "/moderation/log"):
        assert page.goto(path).status == 200
    page.goto(f"/live/{facts['live_session_ids']['live']}")
    page.wait_for_selector("#live-connection[data-state=connected]")
    urls = context.recorder.urls
    assert any(url.endswith("/static/css/forum.css") for url in urls)
    assert any("/socket.io/" in url and url.startswith("ws://") for url in urls)
    assert context.recorder.foreign() == []
