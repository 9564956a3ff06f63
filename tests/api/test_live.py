"""Live sessions through the API: the listing, questions (asked without a socket), polls,
and the record of an ended session."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.live import (
    LiveSession,
    Participant,
    Poll,
    Question,
    QuestionStatus,
    SessionStatus,
    Visibility,
)
from tests import factories


def live_session(world, **overrides) -> LiveSession:
    fields = {"title": "Budget hearing", "focus_area_id": world.area.id,
              "topic_id": world.topic.id, "starts_at": utcnow() - timedelta(minutes=5),
              "ends_at": utcnow() + timedelta(hours=1), "created_by_id": world.author.id,
              "status": SessionStatus.LIVE}
    fields.update(overrides)
    session = LiveSession(**fields)
    db.session.add(session)
    db.session.commit()
    return session


def test_a_question_asked_through_the_api_enters_the_stream(api, world, token_for):
    session = live_session(world)
    response = api("POST", f"/api/v1/live-sessions/{session.id}/questions",
                   token_for(world.other, "write"), json={"body": "When does it start?"})
    assert response.status_code == 201 and response.json["status"] == "open"
    question = db.session.scalar(select(Question))
    assert question.body == "When does it start?" and question.seq == response.json["seq"]
    assert db.session.get(Participant, (session.id, world.other.id)) is not None
    listed = api("GET", f"/api/v1/live-sessions/{session.id}/questions").json["items"]
    assert [q["body"] for q in listed] == ["When does it start?"]


def test_muted_members_and_ended_sessions_refuse_questions(api, world, token_for):
    session = live_session(world)
    db.session.add(Participant(session_id=session.id, user_id=world.other.id,
                               sector=world.other.sector, muted=True))
    db.session.commit()
    token = token_for(world.other, "write")
    muted = api("POST", f"/api/v1/live-sessions/{session.id}/questions", token,
                json={"body": "Hello?"})
    assert muted.status_code == 403 and json.loads(muted.data)["code"] == "muted"
    session.status = SessionStatus.ENDED
    db.session.commit()
    ended = api("POST", f"/api/v1/live-sessions/{session.id}/questions",
                token_for(world.author, "write"), json={"body": "Late"})
    assert ended.status_code == 403
    assert db.session.scalar(select(Question)) is None


def test_invite_only_sessions_are_not_found_for_others(api, world, token_for):
    session = live_session(world, visibility=Visibility.INVITE_ONLY)
    assert api("GET", f"/api/v1/live-sessions/{session.id}").status_code == 404
    assert api("GET", "/api/v1/live-sessions").json["items"] == []
    listed = api("GET", "/api/v1/live-sessions", token_for(world.author, "read")).json
    assert listed["items"] == []  # not invited: the author of the topic is no one here


def test_pending_and_hidden_questions_are_not_shown_to_others(api, world, token_for):
    session = live_session(world)
    for status in (QuestionStatus.OPEN, QuestionStatus.PENDING, QuestionStatus.HIDDEN):
        db.session.add(Question(session_id=session.id, author_id=world.other.id,
                                sector=world.other.sector, body=status.value, status=status))
    db.session.commit()
    public = api("GET", f"/api/v1/live-sessions/{session.id}/questions").json["items"]
    assert [q["body"] for q in public] == ["open"]
    own = api("GET", f"/api/v1/live-sessions/{session.id}/questions",
              token_for(world.other, "read")).json["items"]
    assert [q["body"] for q in own] == ["open", "pending"]


def test_polls_and_the_record_of_an_ended_session(api, world):
    session = live_session(world)
    db.session.add(Poll(session_id=session.id, question="Bus or tram?", choices=["Bus", "Tram"]))
    db.session.commit()
    polls = api("GET", f"/api/v1/live-sessions/{session.id}/polls").json["items"]
    assert polls[0]["question"] == "Bus or tram?" and polls[0]["results"]["ballots"] == 0
    assert api("GET", f"/api/v1/live-sessions/{session.id}/record").status_code == 409
    session.status = SessionStatus.ENDED
    db.session.commit()
    record = api("GET", f"/api/v1/live-sessions/{session.id}/record").json
    assert record["session"]["status"] == "ended" and record["polls"][0]["id"] == polls[0]["id"]


def test_members_only_sessions_need_a_member(api, world, token_for):
    session = live_session(world, visibility=Visibility.MEMBERS)
    assert api("GET", f"/api/v1/live-sessions/{session.id}").status_code == 404
    seen = api("GET", f"/api/v1/live-sessions/{session.id}", token_for(factories.make_user(),
                                                                      "read"))
    assert seen.status_code == 200 and seen.json["title"] == "Budget hearing"
