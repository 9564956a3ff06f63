"""Property tests of the JSON Socket.IO handlers: every event of `/live` and `/deliberation`,
with payloads of every shape and type (hostile text, huge numbers, lists where objects belong,
extra arguments), is answered with an acknowledgement, {"ok": true, ...} or {"ok": false,
"error": {"code", "message"}}, never with the code for a failure on our side, and the socket
stays connected."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.extensions import db, socketio
from forum.models.live import Poll, Question
from forum.services.live.moderation import ACTIONS
from tests import factories
from tests.live.conftest import make_live_session
from tests.properties.conftest import profile
from tests.properties.strategies import json_values, texts
from tests.proposals.conftest import make_proposal

LIVE_EVENTS = ["join", "leave", "chat", "ask", "upvote", "hand", "vote", "position", "moderate"]
DELIBERATION_EVENTS = ["watch", "unwatch"]
# "end" would close the room for every later example; it is one more action, checked alike
# by the live-room tests.
SAFE_ACTIONS = sorted(set(ACTIONS) - {"end"})


@pytest.fixture
def room(app, live_client):
    """A live session with a poll, a question and a proposal; a moderator's socket joined."""
    moderator = factories.make_moderator(verified=True)
    member = factories.make_user(verified=True)
    session = make_live_session(moderator=moderator)
    poll = Poll(session_id=session.id, question="Which?", choices=["a", "b", "c"])
    question = Question(session_id=session.id, author_id=member.id, sector=member.sector,
                        body="Why?")
    db.session.add_all([poll, question])
    db.session.commit()
    proposal = make_proposal()
    client = live_client(moderator)
    assert client.emit("join", {"session_id": session.id}, namespace="/live",
                       callback=True)["ok"]
    ids = {"session_id": [session.id], "poll_id": [poll.id], "question_id": [question.id],
           "into_id": [question.id], "proposal_id": [proposal.id], "id": [proposal.id],
           "user_id": [member.id, moderator.id], "action": SAFE_ACTIONS,
           "stance": ["agree", "abstain", "disagree", "block"], "kind": ["proposal"],
           "choice": [0, 1, [0, 1]], "raised": [True, False], "after_seq": [0, 1]}
    return client, session, ids


def payloads(ids: dict[str, list]):
    """Objects with the keys the handlers read, each a plausible value or anything at all,
    and now and then no object at all."""
    keys = set(ids) | {"body", "reason", "choices", "question", "multiple", "pinned",
                       "seconds", "results_live"}
    huge = st.integers(1_000, 300_000).map(lambda n: "ä\u200d" * (n // 2))
    fields = {key: st.one_of(st.sampled_from(ids[key]), json_values) if key in ids
              else st.one_of(texts, json_values, huge) for key in keys}
    objects = st.fixed_dictionaries({}, optional=fields)
    return st.one_of(objects, objects, objects, json_values)


def _answered_properly(reply, event: str) -> None:
    assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool), (event, reply)
    if not reply["ok"]:
        error = reply.get("error")
        assert isinstance(error, dict) and isinstance(error.get("message"), str), reply
        assert error.get("code") != "internal", (event, reply)


def test_every_live_event_answers_any_payload(app, room):
    client, session, ids = room

    @profile()
    @given(st.sampled_from(LIVE_EVENTS), payloads(ids), st.booleans())
    def check(event, payload, extra_argument):
        args = (payload, "extra") if extra_argument else (payload,)
        reply = client.emit(event, *args, namespace="/live", callback=True)
        _answered_properly(reply, event)
        assert client.is_connected("/live")
        if event in ("leave", "moderate"):  # back in the room, live, for the next example
            session.status = session.status.__class__.LIVE
            db.session.commit()
            client.emit("join", {"session_id": session.id}, namespace="/live", callback=True)

    check()


def test_every_deliberation_event_answers_any_payload(app, room):
    _client, _session, ids = room
    watcher = socketio.test_client(app, namespace="/deliberation")

    @profile()
    @given(st.sampled_from(DELIBERATION_EVENTS), payloads(ids), st.booleans())
    def check(event, payload, extra_argument):
        args = (payload, "extra") if extra_argument else (payload,)
        reply = watcher.emit(event, *args, namespace="/deliberation", callback=True)
        _answered_properly(reply, event)
        assert watcher.is_connected("/deliberation")

    check()
    watcher.disconnect("/deliberation")
