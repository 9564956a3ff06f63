"""Proposals in the live room (new event types in the ordered /live stream) and live results
on ordinary pages (the /deliberation namespace), through the Socket.IO test client."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from forum.extensions import socketio
from forum.models.accounts import Sector
from forum.models.base import utcnow
from forum.models.deliberation import Position, PositionChange
from forum.models.live import Attribution, LiveEvent, LiveSession, Visibility
from forum.services.deliberation import positions, proposals
from tests import factories
from tests.live.conftest import ack, events
from tests.proposals.conftest import make_live_session, make_proposal, proposal_data

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _joined(live_client, session, user):
    client = live_client(user)
    reply = ack(client, "join", {"session_id": session.id})
    assert reply["ok"], reply
    client.get_received("/live")
    return client, reply


def _room(db, live_client, **session):
    mod = factories.make_moderator(verified=True)
    live = make_live_session(moderator=mod, **session)
    made, _wires = proposals.open_in_session(mod, live.id, proposal_data())
    return live, made


@pytest.fixture
def watcher(app):
    """watcher(user=None) -> a Socket.IO test client on /deliberation (a guest by default)."""
    clients = []

    def connect(user=None):
        flask_client = app.test_client()
        if user is not None:
            assert flask_client.post("/login", data={
                "email": user.email, "password": factories.PASSWORD}).status_code == 302
        client = socketio.test_client(app, namespace="/deliberation",
                                      flask_test_client=flask_client)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.is_connected("/deliberation"):
            client.disconnect("/deliberation")


def _watch(client, proposal_id: int) -> dict:
    return client.emit("watch", {"kind": "proposal", "id": proposal_id},
                       namespace="/deliberation", callback=True)


def _tallies(client) -> list[dict]:
    return [m["args"][0] for m in client.get_received("/deliberation") if m["name"] == "tally"]


def test_opening_a_proposal_in_the_room_reaches_everyone_in_order(db, client, login,
                                                                  live_client):
    mod = factories.make_moderator(verified=True)
    live = make_live_session(moderator=mod)
    member = factories.make_user()
    other, _ = _joined(live_client, live, member)
    login(mod)
    closes = (utcnow() + timedelta(hours=1)).astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/live/{live.id}/proposals/new", data={
        "title": "Extend the session by 15 minutes", "statement": "We go on until 19:15.",
        "closes_at": closes, "participation": "session"})
    assert response.status_code == 302 and f"/live/{live.id}#proposal-" in \
        response.headers["Location"]
    (event,) = events(other)
    assert event["type"] == "proposal"
    assert event["data"]["proposal"]["title"] == "Extend the session by 15 minutes"
    assert event["data"]["tally"]["counts"]["all"]["total"]["count"] == 0
    stored = db.session.scalars(select(LiveEvent).where(LiveEvent.session_id == live.id)).one()
    assert (stored.seq, stored.type) == (event["seq"], "proposal")


def test_join_tells_the_proposals_their_tallies_and_my_own_stance(db, live_client):
    live, made = _room(db, live_client)
    anna = factories.make_user()
    first, _ = _joined(live_client, live, anna)
    assert ack(first, "position", {"proposal_id": made.id, "stance": "agree"})["ok"]
    _again, reply = _joined(live_client, live, anna)
    (item,) = reply["proposals"]
    assert item["proposal"]["id"] == made.id and item["mine"] == "agree"
    assert item["tally"]["counts"]["all"]["total"]["agree"] == 1


def test_a_position_in_the_room_reaches_the_others_with_its_seq_and_tally(db, live_client):
    live, made = _room(db, live_client)
    anna, omar = factories.make_user(sector=Sector.POLITICS), factories.make_user()
    a, _ = _joined(live_client, live, anna)
    o, _ = _joined(live_client, live, omar)
    reply = ack(a, "position", {"proposal_id": made.id, "stance": "disagree",
                                "reason": "Too late in the evening"})
    assert reply["ok"] and reply["tally"]["counts"]["all"]["sectors"]["politics"]["disagree"] == 1
    (event,) = events(o)
    assert (event["type"], event["seq"]) == ("position", reply["seq"])
    assert event["data"]["position"] == {"stance": "disagree", "reason": "Too late in the evening"}
    assert event["actor"]["name"] == anna.display_name
    assert event["data"]["tally"]["version"] == reply["tally"]["version"]
    assert db.session.scalars(select(Position.user_id)).all() == [anna.id]


@pytest.mark.parametrize("mode, shown, hidden", [
    (Attribution.SECTOR_ONLY, {"sector": "business"}, ("name", "id", "organisation")),
    (Attribution.ANONYMOUS, {}, ("name", "id", "organisation", "sector")),
])
def test_attribution_mode_applies_to_positions(db, client, live_client, mode, shown, hidden):
    live, made = _room(db, live_client, attribution=mode)
    maria = factories.make_user(sector=Sector.BUSINESS, display_name="Maria Berg")
    m, _ = _joined(live_client, live, maria)
    o, _ = _joined(live_client, live, factories.make_user())
    assert ack(m, "position", {"proposal_id": made.id, "stance": "block",
                               "reason": "Our staff go home at six"})["ok"]
    (event,) = events(o)
    for key, value in shown.items():
        assert event["actor"][key] == value
    assert not set(hidden) & set(event["actor"])
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "Our staff go home at six" in page and "Maria Berg" not in page


def test_positions_need_a_joined_socket(db, live_client):
    live, made = _room(db, live_client)
    client = live_client(factories.make_user())
    reply = ack(client, "position", {"proposal_id": made.id, "stance": "agree"})
    assert reply["error"]["code"] == "not_joined"
    assert db.session.scalar(select(func.count()).select_from(Position)) == 0


@pytest.mark.parametrize("payload, code", [
    ({"proposal_id": "one", "stance": "agree"}, "invalid"),
    ({"proposal_id": 999999, "stance": "agree"}, "not_found"),
    ({"proposal_id": None, "stance": "agree"}, "invalid"),
    ({"proposal_id": True, "stance": "agree"}, "invalid"),
    ({"stance": "maybe", "reason": ""}, "bad_stance"),
    ({"stance": "block", "reason": ""}, "reason_required"),
    ({"stance": "agree", "reason": "x" * 1001}, "reason_too_long"),
    ({"stance": "agree", "reason": 42}, "invalid"),
])
def test_bad_positions_get_an_error_ack_and_store_nothing(db, live_client, payload, code):
    live, made = _room(db, live_client)
    client, _ = _joined(live_client, live, factories.make_user())
    payload = {"proposal_id": made.id, **payload} if "proposal_id" not in payload else payload
    before = db.session.get(LiveSession, live.id).last_seq
    reply = ack(client, "position", payload)
    assert reply["ok"] is False and reply["error"]["code"] == code, reply
    assert db.session.scalar(select(func.count()).select_from(Position)) == 0
    assert db.session.scalar(select(func.count()).select_from(PositionChange)) == 0
    db.session.expire_all()
    assert db.session.get(LiveSession, live.id).last_seq == before  # no event, no gap
    assert ack(client, "position", "not an object")["error"]["code"] == "invalid"


def test_a_thread_proposal_is_not_taken_through_the_room(db, live_client):
    live, _made = _room(db, live_client)
    elsewhere = make_proposal()
    client, _ = _joined(live_client, live, factories.make_user())
    reply = ack(client, "position", {"proposal_id": elsewhere.id, "stance": "agree"})
    assert reply["error"]["code"] == "invalid"


def test_a_position_taken_on_the_page_reaches_the_room_too(db, client, login, live_client):
    live, made = _room(db, live_client)
    room_client, _ = _joined(live_client, live, factories.make_user())
    login(factories.make_user(sector=Sector.ACADEMIA))
    client.post(f"/proposals/{made.id}/position", data={"stance": "abstain"})
    (event,) = events(room_client)
    assert event["type"] == "position"
    assert event["data"]["tally"]["counts"]["all"]["sectors"]["academia"]["abstain"] == 1


def test_closing_in_the_room_announces_the_final_tally(db, client, login, live_client):
    live, made = _room(db, live_client)
    room_client, _ = _joined(live_client, live, factories.make_user())
    login(factories.make_moderator())
    client.post(f"/proposals/{made.id}/close", data={"reason": ""})
    (event,) = events(room_client)
    assert event["type"] == "proposal_closed" and event["data"]["tally"]["status"] == "closed"


# --- /deliberation: live results on ordinary pages ---------------------------------------------


def test_a_guest_watches_a_public_proposal_and_sees_tallies_change(db, client, login, watcher):
    made = make_proposal()
    guest = watcher()
    reply = _watch(guest, made.id)
    assert reply["ok"] and reply["snapshot"]["counts"]["all"]["total"]["count"] == 0
    login(factories.make_user(sector=Sector.RESIDENT, display_name="Sara Ahmed"))
    client.post(f"/proposals/{made.id}/position", data={"stance": "agree", "reason": "Yes!"})
    (tally,) = _tallies(guest)
    assert (tally["kind"], tally["id"]) == ("proposal", made.id)
    assert tally["version"] > reply["snapshot"]["version"]
    assert tally["counts"]["all"]["sectors"]["resident"]["agree"] == 1
    assert tally["latest"]["who"]["name"] == "Sara Ahmed" and tally["latest"]["reason"] == "Yes!"
    assert set(tally["summary"]) == {"sv", "en"}


def test_room_positions_reach_page_watchers(db, live_client, watcher):
    live, made = _room(db, live_client)
    guest = watcher()
    assert _watch(guest, made.id)["ok"]
    room_client, _ = _joined(live_client, live, factories.make_user())
    ack(room_client, "position", {"proposal_id": made.id, "stance": "agree"})
    (tally,) = _tallies(guest)
    assert tally["counts"]["all"]["total"]["agree"] == 1


def test_outsiders_cannot_watch_an_invite_only_sessions_proposal(db, watcher, live_client):
    invited = factories.make_user()
    live, made = _room(db, live_client, visibility=Visibility.INVITE_ONLY, invitees=[invited])
    outsider = watcher(factories.make_user())
    reply = _watch(outsider, made.id)
    assert reply["ok"] is False and reply["error"]["code"] == "forbidden"
    assert _watch(watcher(), made.id)["error"]["code"] == "forbidden"
    inside = watcher(invited)
    assert _watch(inside, made.id)["ok"]
    positions.take(invited, made.id, "agree", "")  # not through the room: no broadcast here
    room_client, _ = _joined(live_client, live, invited)
    ack(room_client, "position", {"proposal_id": made.id, "stance": "disagree",
                                  "reason": "On reflection"})
    assert _tallies(outsider) == [] and len(_tallies(inside)) == 1


@pytest.mark.parametrize("payload, code", [
    ({"kind": "poll", "id": 1}, "unknown_kind"), ({"kind": "proposal", "id": "1"}, "invalid"),
    ({"kind": "proposal", "id": 424242}, "not_found"), ("proposal", "invalid"),
])
def test_bad_watch_requests_get_an_error_ack(db, watcher, payload, code):
    reply = watcher().emit("watch", payload, namespace="/deliberation", callback=True)
    assert reply["ok"] is False and reply["error"]["code"] == code


def test_another_kind_is_added_by_registering_a_check_and_a_snapshot(db, watcher):
    from forum.blueprints.deliberation import events as deliberation_events

    def find(viewer, item_id):
        if item_id != 7:
            raise proposals.NotFound("no")
        return {"id": 7}

    deliberation_events.watchable("example", find, lambda item: {"seen": item["id"]})
    try:
        client = watcher()
        reply = client.emit("watch", {"kind": "example", "id": 7}, namespace="/deliberation",
                            callback=True)
        assert reply == {"ok": True, "snapshot": {"seen": 7}}
        deliberation_events.publish("example", 7, {"seen": 8})
        assert _tallies(client) == [{"kind": "example", "id": 7, "seen": 8}]
        with pytest.raises(RuntimeError):
            deliberation_events.watchable("example", find, dict)
    finally:
        deliberation_events.WATCHABLE.pop("example")
