"""The live room in headless Chromium: the browser client connects, sends by keyboard, shows
and announces what others send, and comes back after its server died. Uses the browser
suite's server and fixtures."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from forum import create_app
from forum.extensions import db
from forum.models.accounts import User
from forum.models.live import LiveSession
from forum.services.live import stream
from tests.browser.server import demo_email
from tests.conftest import _config

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



def _chat_stored_elsewhere(live_server, session_id: int, who: str, body: str) -> int:
    """A chat stored while the page's server is down, as another server process sharing the
    database would store it. Returns its seq."""
    app = create_app(_config(live_server.env["FORUM_DATABASE_URL"]))
    with app.app_context():
        session = db.session.get(LiveSession, session_id)
        user = db.session.scalar(select(User).where(User.email == demo_email(who)))
        event = stream.append(session, "chat", user, {"body": body})
        stream.commit(event)
        db.session.remove()
        db.engine.dispose()
    return event.seq


def test_the_room_backs_off_reconnects_and_catches_up_with_after_seq(demo_page, live_server):
    """The server dies (SIGKILL); the page keeps trying with its back-off; a chat is stored
    meanwhile; once the server is back the page joins with after_seq = the last seq it had
    and shows what it missed."""
    session_id = live_server.facts["live_session_ids"]["live"]
    sara = _room(demo_page, live_server, "sara")
    sockets, joins = [], []

    def watch(ws) -> None:
        sockets.append(ws)
        ws.on("framesent", lambda frame: joins.extend(_joins(frame)))

    sara.on("websocket", watch)
    seen = sara.locator("#live-chat li").evaluate_all(
        "items => Math.max(...items.map(i => Number(i.dataset.seq)))")
    live_server.process.kill()
    live_server.process.wait()
    sara.wait_for_selector("#live-connection[data-state=reconnecting]")
    missed = _chat_stored_elsewhere(live_server, session_id, "omar", "Stored while Sara was away")
    for _ in range(100):  # the page tries again and again, with its back-off
        if len(sockets) >= 2:
            break
        sara.wait_for_timeout(100)
    assert len(sockets) >= 2 and joins == []
    live_server.start()
    arrived = sara.locator("#live-chat li", has_text="Stored while Sara was away")
    arrived.wait_for(timeout=15000)
    assert arrived.get_attribute("data-seq") == str(missed)
    assert joins[-1] == {"session_id": session_id, "after_seq": seen}
    sara.locator("#live-announcer", has_text="up to date").wait_for(state="attached")


def _joins(frame) -> list[dict]:
    """The join payloads in a frame the page sent (`42/live,<ack id>["join", {...}]`)."""
    payload = frame if isinstance(frame, str) else frame.get("payload", "")
    found = re.match(r"42/live,\d*(\[.*\])$", payload) if isinstance(payload, str) else None
    if found and json.loads(found.group(1))[0] == "join":
        return [json.loads(found.group(1))[1]]
    return []


def test_a_page_whose_reconnection_is_refused_says_why_instead_of_waiting(demo_page,
                                                                          live_server):
    """Signed out meanwhile (the cookies are gone), the page's reconnection after a server
    restart is refused: it says so, rather than "reconnecting" for ever."""
    sara = _room(demo_page, live_server, "sara")
    sara.context.clear_cookies()
    live_server.process.kill()
    live_server.process.wait()
    sara.wait_for_selector("#live-connection[data-state=reconnecting]")
    live_server.start()
    sara.locator("#live-connection[data-state=closed]",
                 has_text="Please sign in to join live sessions.").wait_for(timeout=15000)
