"""In sector-only (Chatham House) and anonymous sessions nothing a member's socket receives,
live or in a catch-up, names another member: no id, name, organisation or email, in any
event or message of a session in which everything happens once (chat, questions, upvotes,
hands, the floor, polls and votes, a mute, an unmute and a removal). Moderators act on the
record, so they may be named."""
from __future__ import annotations

import pytest

from forum.models.live import Attribution
from tests import factories
from tests.live.conftest import ack, make_live_session

ID_KEYS = {"user_id", "actor_id", "author_id", "member_id"}


def _leaks(value, people: dict[int, tuple[str, ...]], path: str = "") -> list[str]:
    """Where in `value` one of `people` (id -> name, organisation, email) shows."""
    found = []
    if isinstance(value, dict):
        is_actor = "role" in value
        for key, item in value.items():
            if (key in ID_KEYS or (is_actor and key == "id")) and item in people:
                found.append(f"{path}.{key}={item}")
            found += _leaks(item, people, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += _leaks(item, people, f"{path}[{n}]")
    elif isinstance(value, str):
        found += [f"{path}: {word!r}" for words in people.values() for word in words
                  if word and word in value]
    return found


def _received(client) -> list[tuple[str, object]]:
    return [(m["name"], m["args"][0] if m["args"] else None)
            for m in client.get_received("/live")]


@pytest.mark.parametrize("attribution", [Attribution.SECTOR_ONLY, Attribution.ANONYMOUS])
def test_nothing_a_member_receives_names_another_member(db, live_client, attribution):
    moderator = factories.make_moderator(verified=True)
    anna = factories.make_user(verified=True, display_name="Anna Hemlig",
                               organisation="Hemliga verket")
    bo = factories.make_user(verified=True, display_name="Bo Dold", organisation="Dolda AB")
    cid = factories.make_user(verified=True, display_name="Cid Tyst", organisation="Tysta KB")
    session = make_live_session(moderator=moderator, attribution=attribution)
    m, a, b, c = (live_client(u) for u in (moderator, anna, bo, cid))
    sid = session.id
    for client in (m, a, b, c):
        assert ack(client, "join", {"session_id": sid})["ok"]
    assert ack(a, "chat", {"session_id": sid, "body": "Hej"})["ok"]
    question = ack(a, "ask", {"session_id": sid, "body": "Varför?"})
    assert question["ok"], question
    question_id = question.get("question_id") or question.get("question", {}).get("id")
    assert ack(b, "upvote", {"question_id": question_id})["ok"]
    assert ack(a, "hand", {"session_id": sid, "raised": True})["ok"]
    assert ack(m, "moderate", {"session_id": sid, "action": "next_speaker"})["ok"]
    poll = ack(m, "moderate", {"session_id": sid, "action": "open_poll", "question": "Ja?",
                               "choices": ["ja", "nej"]})
    assert poll["ok"], poll
    for n, client in enumerate((a, c)):
        assert ack(client, "vote", {"poll_id": poll["poll_id"], "choice": n})["ok"]
    for action in ("mute", "unmute", "remove"):
        assert ack(m, "moderate", {"session_id": sid, "action": action, "user_id": anna.id,
                                   "reason": "Test"})["ok"], action
    others = {u.id: (u.display_name, u.organisation, u.email) for u in (anna, cid)}
    live = _received(b)
    assert {name for name, _p in live} >= {"event", "presence"}
    assert _leaks(live, others) == []
    catch_up = ack(b, "join", {"session_id": sid, "after_seq": 0})
    assert catch_up["ok"] and len(catch_up["events"]) >= 8
    assert _leaks(catch_up, others) == []  # its "me" names only the member who joins


@pytest.mark.parametrize("attribution", [Attribution.SECTOR_ONLY, Attribution.ANONYMOUS])
def test_a_muted_member_hears_it_on_their_own_sockets_only(db, live_client, attribution):
    moderator, anna, bo = (factories.make_moderator(verified=True),
                           factories.make_user(verified=True), factories.make_user(verified=True))
    session = make_live_session(moderator=moderator, attribution=attribution)
    m, a, b = (live_client(u) for u in (moderator, anna, bo))
    for client in (m, a, b):
        assert ack(client, "join", {"session_id": session.id})["ok"]
        client.get_received("/live")
    assert ack(m, "moderate", {"session_id": session.id, "action": "mute",
                               "user_id": anna.id})["ok"]
    to_anna, to_bo = _received(a), _received(b)
    assert ("me", {"session_id": session.id, "muted": True}) in to_anna
    assert [name for name, _p in to_bo] == ["event"]
    event = to_bo[0][1]
    assert event["type"] == "participant" and "user_id" not in event["data"]
    assert event["data"]["muted"] is True


def test_on_record_the_participant_event_names_the_member(db, live_client):
    moderator, anna = factories.make_moderator(verified=True), factories.make_user(verified=True)
    session = make_live_session(moderator=moderator)
    m, a = live_client(moderator), live_client(anna)
    for client in (m, a):
        assert ack(client, "join", {"session_id": session.id})["ok"]
        client.get_received("/live")
    assert ack(m, "moderate", {"session_id": session.id, "action": "mute",
                               "user_id": anna.id})["ok"]
    events = [p for name, p in _received(m) if name == "event"]
    assert events[-1]["data"]["user_id"] == anna.id
    assert events[-1]["data"]["participant"]["name"] == anna.display_name
