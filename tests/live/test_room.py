"""The live room through the Socket.IO test client: joining, chat, questions, votes, hands."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.models.live import LiveEvent, Question, QuestionVote
from tests import factories
from tests.live.conftest import ack, events


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_chat_reaches_others_in_the_room_with_seq(db, live_client, live_session):
    session = live_session()
    anna, omar = factories.make_user(), factories.make_user()
    a, o = live_client(anna), live_client(omar)
    assert ack(a, "join", {"session_id": session.id})["ok"]
    assert ack(o, "join", {"session_id": session.id})["ok"]
    a.get_received("/live"), o.get_received("/live")
    reply = ack(a, "chat", {"session_id": session.id, "body": "Hello room"})
    assert reply == {"ok": True, "seq": 1}
    got = events(o)
    assert [(e["seq"], e["type"], e["data"]["body"]) for e in got] == [(1, "chat", "Hello room")]
    assert got[0]["actor"]["name"] == anna.display_name
    stored = db.session.scalars(select(LiveEvent)).all()
    assert [(e.seq, e.type, e.actor_id) for e in stored] == [(1, "chat", anna.id)]


def _joined(live_client, session, user):
    client = live_client(user)
    reply = ack(client, "join", {"session_id": session.id})
    assert reply["ok"], reply
    client.get_received("/live")
    return client


def test_join_from_two_tabs_at_once_admits_both(db, live_client, live_session, monkeypatch):
    """The member's other tab created their participant row after this join looked for it
    (PostgreSQL runs the two at once): the join must still succeed, with one row."""
    from forum.models.live import Participant

    session, anna = live_session(), factories.make_user()
    _joined(live_client, session, anna)
    real_get = db.session.get
    monkeypatch.setattr(db.session, "get", lambda model, key, **kw: None if model is Participant
                        else real_get(model, key, **kw))
    reply = ack(live_client(anna), "join", {"session_id": session.id})
    monkeypatch.undo()
    assert reply["ok"], reply
    assert db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.session_id == session.id, Participant.user_id == anna.id)) == 1


def test_connection_without_login_or_token_is_refused(live_client):
    client = live_client(None)
    assert not client.is_connected("/live")


def test_personal_access_token_authenticates_the_socket(db, live_client, live_session):
    from forum.services import accounts

    session, member = live_session(), factories.make_user()
    _token, secret = accounts.create_token(member, "display")
    client = live_client(None, auth={"token": secret})
    assert client.is_connected("/live")
    assert ack(client, "join", {"session_id": session.id})["ok"]


def test_a_socket_token_may_do_what_its_scopes_allow(db, live_client, live_session):
    from forum.services import accounts

    session, member = live_session(), factories.make_user()
    _token, reader = accounts.create_token(member, "wall display", ("read",))
    watching = live_client(None, auth={"token": reader})
    assert ack(watching, "join", {"session_id": session.id})["ok"]
    refused = ack(watching, "chat", {"session_id": session.id, "body": "Hello"})
    assert refused["error"]["code"] == "insufficient_scope"
    _token, writer = accounts.create_token(member, "client", ("read", "write"))
    talking = live_client(None, auth={"token": writer})
    assert ack(talking, "join", {"session_id": session.id})["ok"]
    assert ack(talking, "chat", {"session_id": session.id, "body": "Hello"})["ok"]
    moderate = ack(talking, "moderate", {"session_id": session.id, "action": "start"})
    assert moderate["error"]["code"] == "insufficient_scope"


def test_revoked_token_is_refused(db, live_client):
    from forum.services import accounts

    member = factories.make_user()
    token, secret = accounts.create_token(member, "display")
    accounts.revoke_token(member, token.id)
    assert not live_client(None, auth={"token": secret}).is_connected("/live")


def test_join_reports_state_and_presence_by_sector(db, live_client, live_session):
    from forum.models.accounts import Sector

    session = live_session()
    anna = factories.make_user(sector=Sector.BUSINESS)
    client = live_client(anna)
    reply = ack(client, "join", {"session_id": session.id})
    assert reply["ok"] and reply["state"]["last_seq"] == 0 and reply["events"] == []
    presence = reply["presence"]
    assert presence["by_sector"]["business"] == 1 and presence["count"] == 1
    assert presence["participants"][0]["name"] == anna.display_name


def test_join_with_after_seq_returns_exactly_the_missed_events(db, live_client, live_session):
    session = live_session()
    anna, omar = factories.make_user(), factories.make_user()
    a = _joined(live_client, session, anna)
    for n in range(5):
        assert ack(a, "chat", {"session_id": session.id, "body": f"m{n}"})["ok"]
    o = live_client(omar)
    reply = ack(o, "join", {"session_id": session.id, "after_seq": 2})
    assert [e["seq"] for e in reply["events"]] == [3, 4, 5]
    assert [e["data"]["body"] for e in reply["events"]] == ["m2", "m3", "m4"]


def test_events_before_join_are_refused_and_nothing_is_stored(db, live_client, live_session):
    session = live_session()
    client = live_client(factories.make_user())
    reply = ack(client, "chat", {"session_id": session.id, "body": "too early"})
    assert reply == {"ok": False, "error": {"code": "not_joined", "message": reply["error"][
        "message"]}}
    assert _count(db, LiveEvent) == 0
    assert client.is_connected("/live")


@pytest.mark.parametrize("payload", [
    None,
    "a string",
    {},
    {"session_id": "1", "body": "wrong type"},
    {"session_id": 1},
    {"session_id": 1, "body": 42},
    {"session_id": 1, "body": "   "},
    {"session_id": 1, "body": "x" * 100_000},
    {"session_id": 99999, "body": "unknown session"},
])
def test_bad_chat_payloads_get_an_error_ack_and_store_nothing(db, live_client, live_session,
                                                              payload):
    session = live_session(id=1)
    client = _joined(live_client, session, factories.make_user())
    reply = ack(client, "chat", payload)
    assert reply["ok"] is False and reply["error"]["code"] and reply["error"]["message"]
    assert _count(db, LiveEvent) == 0
    assert client.is_connected("/live")
    assert ack(client, "chat", {"session_id": 1, "body": "still here"})["ok"]


def test_upvote_of_unknown_question_is_refused(db, live_client, live_session):
    session = live_session()
    client = _joined(live_client, session, factories.make_user())
    reply = ack(client, "upvote", {"question_id": 12345})
    assert reply["error"]["code"] == "not_found"
    assert _count(db, QuestionVote) == 0


def test_question_takes_one_upvote_per_member(db, live_client, live_session):
    session = live_session()
    anna, omar = factories.make_user(), factories.make_user()
    a, o = _joined(live_client, session, anna), _joined(live_client, session, omar)
    asked = ack(a, "ask", {"session_id": session.id, "body": "What about parking?"})
    assert asked["ok"]
    assert ack(o, "upvote", {"question_id": asked["question_id"]})["ok"]
    again = ack(o, "upvote", {"question_id": asked["question_id"]})
    assert again["error"]["code"] == "already_voted"
    own = ack(a, "upvote", {"question_id": asked["question_id"]})
    assert own["error"]["code"] == "own_question"
    assert db.session.get(Question, asked["question_id"]).vote_count == 1
    assert _count(db, QuestionVote) == 1


def test_muted_member_cannot_chat_or_ask_but_others_can(db, live_client, live_session):
    mod = factories.make_moderator()
    session = live_session(moderator=mod)
    anna = factories.make_user()
    a, m = _joined(live_client, session, anna), _joined(live_client, session, mod)
    assert ack(m, "moderate", {"session_id": session.id, "action": "mute",
                               "user_id": anna.id})["ok"]
    assert ack(a, "chat", {"session_id": session.id, "body": "hi"})["error"]["code"] == "muted"
    assert ack(a, "ask", {"session_id": session.id, "body": "q?"})["error"]["code"] == "muted"
    assert ack(m, "chat", {"session_id": session.id, "body": "hi"})["ok"]
    assert ack(m, "moderate", {"session_id": session.id, "action": "unmute",
                               "user_id": anna.id})["ok"]
    assert ack(a, "chat", {"session_id": session.id, "body": "back"})["ok"]


def test_removed_member_is_disconnected_and_cannot_rejoin(db, live_client, live_session):
    from forum.models.moderation import ModerationAction

    mod = factories.make_moderator()
    session = live_session(moderator=mod)
    anna = factories.make_user()
    a, m = _joined(live_client, session, anna), _joined(live_client, session, mod)
    no_reason = ack(m, "moderate", {"session_id": session.id, "action": "remove",
                                    "user_id": anna.id})
    assert no_reason["ok"] is False
    assert ack(m, "moderate", {"session_id": session.id, "action": "remove",
                               "user_id": anna.id, "reason": "Personal attacks"})["ok"]
    assert not a.is_connected("/live")
    again = live_client(anna)
    assert ack(again, "join", {"session_id": session.id})["error"]["code"] == "removed"
    log = db.session.scalars(select(ModerationAction)).all()
    assert [(e.action, e.subject_user_id, e.reason) for e in log] == [
        ("live_remove_participant", anna.id, "Personal attacks")]


def test_suspended_member_cannot_join(db, live_client, live_session):
    from forum.models.accounts import Suspension

    session = live_session()
    anna, mod = factories.make_user(), factories.make_moderator()
    db.session.add(Suspension(user_id=anna.id, reason="Spam", created_by_id=mod.id))
    db.session.commit()
    reply = ack(live_client(anna), "join", {"session_id": session.id})
    assert reply["ok"] is False and reply["error"]["code"] == "forbidden"


def test_invite_only_session_admits_only_invitees(db, live_client, live_session):
    from forum.models.live import Connection, Visibility

    guest, stranger = factories.make_user(), factories.make_user()
    session = live_session(visibility=Visibility.INVITE_ONLY, invitees=[guest])
    assert ack(live_client(guest), "join", {"session_id": session.id})["ok"]
    refused = ack(live_client(stranger), "join", {"session_id": session.id})
    assert refused["error"]["code"] == "forbidden"
    assert [c.user_id for c in db.session.scalars(select(Connection))] == [guest.id]


def test_slow_mode_allows_one_message_per_interval(db, live_client, live_session):
    mod = factories.make_moderator()
    session = live_session(moderator=mod)
    anna = factories.make_user()
    a, m = _joined(live_client, session, anna), _joined(live_client, session, mod)
    assert ack(m, "moderate", {"session_id": session.id, "action": "slow_mode",
                               "seconds": 30})["ok"]
    assert ack(a, "chat", {"session_id": session.id, "body": "one"})["ok"]
    second = ack(a, "chat", {"session_id": session.id, "body": "two"})
    assert second["error"]["code"] == "slow_mode"
    assert ack(m, "chat", {"session_id": session.id, "body": "moderators are exempt"})["ok"]
    bodies = [e.data.get("body") for e in db.session.scalars(
        select(LiveEvent).where(LiveEvent.type == "chat"))]
    assert bodies == ["one", "moderators are exempt"]


def test_poll_takes_one_vote_per_member_with_results_by_sector(db, live_client, live_session):
    from forum.models.accounts import Sector
    from forum.models.live import Ballot

    mod = factories.make_moderator()
    session = live_session(moderator=mod)
    anna = factories.make_user(sector=Sector.BUSINESS)
    a, m = _joined(live_client, session, anna), _joined(live_client, session, mod)
    opened = ack(m, "moderate", {"session_id": session.id, "action": "open_poll",
                                 "question": "Build more?", "choices": ["Yes", "No"]})
    assert opened["ok"]
    assert ack(a, "vote", {"poll_id": opened["poll_id"], "choice": 0})["ok"]
    assert ack(a, "vote", {"poll_id": opened["poll_id"], "choice": 1})["error"]["code"] == \
        "already_voted"
    assert ack(a, "vote", {"poll_id": opened["poll_id"], "choice": 7})["ok"] is False
    last = events(m)[-1]
    assert last["type"] == "vote"
    assert last["data"]["poll"]["results"]["by_sector"] == {"business": [1, 0]}
    assert _count(db, Ballot) == 1


def test_hiding_a_question_needs_a_reason_and_is_logged(db, live_client, live_session):
    from forum.models.moderation import ModerationAction

    mod = factories.make_moderator()
    session = live_session(moderator=mod)
    a, m = _joined(live_client, session, factories.make_user()), _joined(
        live_client, session, mod)
    qid = ack(a, "ask", {"session_id": session.id, "body": "Off-topic?"})["question_id"]
    refused = ack(m, "moderate", {"session_id": session.id, "action": "hide",
                                  "question_id": qid})
    assert refused["ok"] is False
    assert db.session.get(Question, qid).status.value == "open"
    assert ack(m, "moderate", {"session_id": session.id, "action": "hide", "question_id": qid,
                               "reason": "Off topic"})["ok"]
    db.session.expire_all()
    assert db.session.get(Question, qid).status.value == "hidden"
    entry = db.session.scalars(select(ModerationAction)).one()
    assert (entry.action, entry.target_id, entry.reason) == ("live_hide_question", qid,
                                                             "Off topic")


def test_members_cannot_moderate(db, live_client, live_session):
    session = live_session()
    a = _joined(live_client, session, factories.make_user())
    reply = ack(a, "moderate", {"session_id": session.id, "action": "slow_mode", "seconds": 5})
    assert reply["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert db.session.get(type(session), session.id).slow_mode_seconds == 0


def test_premoderated_question_waits_for_approval(db, live_client, live_session):
    mod = factories.make_moderator()
    session = live_session(moderator=mod, premoderate_questions=True)
    a, m = _joined(live_client, session, factories.make_user()), _joined(
        live_client, session, mod)
    o = _joined(live_client, session, factories.make_user())
    asked = ack(a, "ask", {"session_id": session.id, "body": "Pending?"})
    assert asked["ok"] and asked["status"] == "pending"
    assert events(o) == []
    assert events(m, "pending_question")[0]["question"]["body"] == "Pending?"
    assert ack(m, "moderate", {"session_id": session.id, "action": "approve",
                               "question_id": asked["question_id"]})["ok"]
    assert [e["type"] for e in events(o)] == ["question"]


def test_speaker_queue_tracks_turns_by_sector(db, live_client, live_session):
    from forum.models.accounts import Sector

    mod = factories.make_moderator()
    session = live_session(moderator=mod)
    anna = factories.make_user(sector=Sector.ACADEMIA)
    a, m = _joined(live_client, session, anna), _joined(live_client, session, mod)
    assert ack(a, "hand", {"session_id": session.id, "raised": True})["ok"]
    assert ack(a, "hand", {"session_id": session.id, "raised": True})["error"]["code"] == \
        "already_raised"
    assert ack(m, "moderate", {"session_id": session.id, "action": "next_speaker"})["ok"]
    floor = events(a)[-1]["data"]["queue"]
    assert floor["speaking"]["who"]["name"] == anna.display_name
    assert floor["by_sector"]["academia"]["turns"] == 1


def test_presence_is_broadcast_once_for_a_burst_of_joins(app, db, live_client, live_session):
    import time

    app.config["LIVE_PRESENCE_DELAY"] = 3.0
    session = live_session()
    clients = [live_client(factories.make_user()) for _ in range(4)]
    for client in clients:
        assert ack(client, "join", {"session_id": session.id})["ok"]
    received: list[dict] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any(p["count"] == 4 for p in received):
        received += events(clients[0], "presence")
        time.sleep(0.1)
    assert received and received[-1]["count"] == 4
    assert len(received) <= 2  # one per delay window, not one per join
    app.config["LIVE_PRESENCE_DELAY"] = 0  # the disconnects at the end broadcast at once


def test_catch_up_replays_hidden_questions_without_their_text(db, live_client, live_session):
    mod = factories.make_moderator()
    session = live_session(moderator=mod)
    a, m = _joined(live_client, session, factories.make_user()), _joined(
        live_client, session, mod)
    qid = ack(a, "ask", {"session_id": session.id, "body": "Private details here"})["question_id"]
    assert ack(m, "moderate", {"session_id": session.id, "action": "hide", "question_id": qid,
                               "reason": "Personal data"})["ok"]
    late = live_client(factories.make_user())
    replay = ack(late, "join", {"session_id": session.id, "after_seq": 0})["events"]
    assert "Private details here" not in str(replay)
    assert [e["type"] for e in replay] == ["question", "question_state"]
    stored = db.session.scalars(select(LiveEvent).where(LiveEvent.type == "question")).one()
    assert stored.data["question"]["body"] == "Private details here"


def test_bad_rejoin_keeps_the_member_in_the_room(db, live_client, live_session):
    session = live_session()
    a, o = _joined(live_client, session, factories.make_user()), _joined(
        live_client, session, factories.make_user())
    assert ack(a, "join", {"session_id": session.id, "after_seq": -1})["ok"] is False
    assert ack(o, "chat", {"session_id": session.id, "body": "still reaching you"})["ok"]
    assert [e["data"]["body"] for e in events(a)] == ["still reaching you"]


def test_presence_forgets_sockets_that_died_with_their_server(db, live_client, live_session):
    """A server process that dies leaves its presence rows; the next process's first socket
    clears every row no socket of its own holds (one process, no Redis)."""
    from forum.models.live import Connection, Participant

    session = live_session()
    ghost = factories.make_user()
    db.session.add(Participant(session_id=session.id, user_id=ghost.id, sector=ghost.sector))
    db.session.add(Connection(sid="died-with-its-server", session_id=session.id,
                              user_id=ghost.id))
    db.session.commit()
    anna = factories.make_user()
    reply = ack(live_client(anna), "join", {"session_id": session.id})
    assert reply["presence"]["count"] == 1
    assert [p["id"] for p in reply["presence"]["participants"]] == [anna.id]
    assert [c.user_id for c in db.session.scalars(select(Connection))] == [anna.id]
