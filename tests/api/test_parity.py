"""What a member does in the browser, through the API: following, RSVPs, one notice read,
upvoting a question and voting in a live poll; with the scopes each needs."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models.accounts import Suspension
from forum.models.base import utcnow
from forum.models.live import (
    Ballot,
    LiveEvent,
    Poll,
    PollStatus,
    Question,
    QuestionVote,
    Rsvp,
    SessionStatus,
    Visibility,
)
from forum.models.notifications import FollowTarget, Notification, Subscription
from forum.services.notifications import following
from tests import factories
from tests.api.test_live import live_session

A = "/api/v1"


def _question(session, author) -> Question:
    question = Question(session_id=session.id, author_id=author.id, sector=author.sector,
                        body="Why now?")
    db.session.add(question)
    db.session.commit()
    return question


def _poll(session, **extra) -> Poll:
    poll = Poll(session_id=session.id, question="Agree?", choices=["Yes", "No", "Maybe"],
                status=PollStatus.OPEN, **extra)
    db.session.add(poll)
    db.session.commit()
    return poll


# --- Following --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["area", "topic", "thread", "session"])
def test_following_each_kind_through_the_api(api, world, token_for, kind):
    target = {"area": world.area, "topic": world.topic, "thread": world.thread,
              "session": live_session(world, status=SessionStatus.SCHEDULED)}[kind]
    token = token_for(world.other, "read", "write")
    followed = api("PUT", f"{A}/me/subscriptions/{kind}/{target.id}", token)
    assert followed.status_code == 200
    assert followed.json == {"kind": kind, "id": target.id, "following": True}
    assert following.is_following(world.other, FollowTarget(kind), target.id)
    listed = api("GET", f"{A}/me/subscriptions", token).json["items"]
    assert [(i["kind"], i["id"]) for i in listed] == [(kind, target.id)]
    assert listed[0]["html_url"].startswith("http")
    gone = api("DELETE", f"{A}/me/subscriptions/{kind}/{target.id}", token)
    assert gone.status_code == 200 and gone.json["following"] is False
    assert not following.is_following(world.other, FollowTarget(kind), target.id)
    assert api("GET", f"{A}/me/subscriptions", token).json["items"] == []


def test_following_twice_is_once(api, world, token_for):
    token = token_for(world.other, "write")
    for _ in range(2):
        assert api("PUT", f"{A}/me/subscriptions/thread/{world.thread.id}",
                   token).status_code == 200
    assert len(db.session.scalars(select(Subscription).where(
        Subscription.user_id == world.other.id)).all()) == 1


def test_following_needs_write_and_listing_needs_read(api, world, token_for):
    reader, writer = token_for(world.other, "read"), token_for(world.other, "write")
    refused = api("PUT", f"{A}/me/subscriptions/thread/{world.thread.id}", reader)
    assert refused.status_code == 403 and refused.json["code"] == "insufficient_scope"
    assert api("GET", f"{A}/me/subscriptions", writer).status_code == 403
    assert api("GET", f"{A}/me/subscriptions").status_code == 401
    assert api("PUT", f"{A}/me/subscriptions/thread/{world.thread.id}").status_code == 401
    assert db.session.scalar(select(Subscription)) is None


def test_an_invite_only_session_cannot_be_followed_by_outsiders(api, world, token_for):
    secret = live_session(world, status=SessionStatus.SCHEDULED,
                          visibility=Visibility.INVITE_ONLY)
    response = api("PUT", f"{A}/me/subscriptions/session/{secret.id}",
                   token_for(world.other, "write"))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(Subscription)) is None


def test_an_unknown_kind_or_item_is_not_found(api, world, token_for):
    token = token_for(world.other, "write")
    assert api("PUT", f"{A}/me/subscriptions/post/1", token).status_code == 404
    assert api("PUT", f"{A}/me/subscriptions/thread/999999", token).status_code == 404


# --- RSVPs ----------------------------------------------------------------------------------

def test_rsvp_and_cancel_through_the_api(api, world, token_for):
    session = live_session(world, status=SessionStatus.SCHEDULED,
                           starts_at=utcnow() + timedelta(days=1),
                           ends_at=utcnow() + timedelta(days=1, hours=1))
    token = token_for(world.other, "write")
    for _ in range(2):  # saying it twice keeps one RSVP
        response = api("PUT", f"{A}/live-sessions/{session.id}/rsvp", token)
        assert response.status_code == 200
        assert response.json == {"session_id": session.id, "rsvp": True, "count": 1}
    assert db.session.get(Rsvp, (session.id, world.other.id)) is not None
    cancelled = api("DELETE", f"{A}/live-sessions/{session.id}/rsvp", token)
    assert cancelled.json == {"session_id": session.id, "rsvp": False, "count": 0}
    assert db.session.get(Rsvp, (session.id, world.other.id)) is None


def test_rsvp_needs_write_and_an_open_session(api, world, token_for):
    session = live_session(world, status=SessionStatus.ENDED)
    assert api("PUT", f"{A}/live-sessions/{session.id}/rsvp",
               token_for(world.other, "read")).status_code == 403
    over = api("PUT", f"{A}/live-sessions/{session.id}/rsvp", token_for(world.other, "write"))
    assert over.status_code == 409
    assert db.session.scalar(select(Rsvp)) is None


# --- One notice read ------------------------------------------------------------------------

def test_marking_one_notice_read(api, world, token_for):
    mine = [Notification(user_id=world.other.id, kind="suspension_lifted", params={})
            for _ in range(2)]
    theirs = Notification(user_id=world.author.id, kind="suspension_lifted", params={})
    db.session.add_all([*mine, theirs])
    db.session.commit()
    token = token_for(world.other, "write")
    response = api("POST", f"{A}/me/notifications/{mine[0].id}/read", token)
    assert response.status_code == 200 and response.json == {"unread": 1}
    assert db.session.get(Notification, mine[0].id).read_at is not None
    assert db.session.get(Notification, mine[1].id).read_at is None
    other = api("POST", f"{A}/me/notifications/{theirs.id}/read", token)
    assert other.status_code == 404
    assert db.session.get(Notification, theirs.id).read_at is None
    assert api("POST", f"{A}/me/notifications/{mine[1].id}/read",
               token_for(world.other, "read")).status_code == 403


# --- Upvotes --------------------------------------------------------------------------------

def test_upvoting_a_question_through_the_api(api, world, token_for):
    session = live_session(world)
    question = _question(session, world.author)
    token = token_for(world.other, "write")
    url = f"{A}/live-sessions/{session.id}/questions/{question.id}/upvote"
    first = api("PUT", url, token)
    assert first.status_code == 200 and first.json == {"question_id": question.id, "votes": 1}
    again = api("PUT", url, token)
    assert again.status_code == 200 and again.json["votes"] == 1
    assert db.session.scalar(select(QuestionVote.user_id)) == world.other.id
    events = db.session.scalars(select(LiveEvent.type).where(
        LiveEvent.session_id == session.id)).all()
    assert events.count("upvote") == 1  # the room heard it once


def test_upvoting_ones_own_question_or_another_sessions_is_refused(api, world, token_for):
    session, elsewhere = live_session(world), live_session(world)
    question = _question(session, world.other)
    token = token_for(world.other, "write")
    own = api("PUT", f"{A}/live-sessions/{session.id}/questions/{question.id}/upvote", token)
    assert own.status_code == 409 and own.json["code"] == "own_question"
    wrong = api("PUT", f"{A}/live-sessions/{elsewhere.id}/questions/{question.id}/upvote",
                token_for(world.author, "write"))
    assert wrong.status_code == 404
    assert db.session.scalar(select(QuestionVote)) is None


def test_upvoting_needs_write_and_a_live_session(api, world, token_for):
    session = live_session(world, status=SessionStatus.SCHEDULED)
    question = _question(session, world.author)
    url = f"{A}/live-sessions/{session.id}/questions/{question.id}/upvote"
    assert api("PUT", url, token_for(world.other, "read")).status_code == 403
    assert api("PUT", url).status_code == 401
    assert api("PUT", url, token_for(world.other, "write")).status_code in (403, 409)
    assert db.session.scalar(select(QuestionVote)) is None


def test_a_suspended_member_cannot_upvote(api, world, token_for):
    session = live_session(world)
    question = _question(session, world.author)
    suspended = factories.make_user(verified=True)
    db.session.add(Suspension(user_id=suspended.id, reason="Attacks",
                              created_by_id=world.author.id))
    db.session.commit()
    response = api("PUT", f"{A}/live-sessions/{session.id}/questions/{question.id}/upvote",
                   token_for(suspended, "write"))
    assert response.status_code == 403
    assert db.session.scalar(select(QuestionVote)) is None


# --- Poll votes -----------------------------------------------------------------------------

def test_voting_in_a_live_poll_through_the_api(api, world, token_for):
    session = live_session(world)
    poll = _poll(session)
    token = token_for(world.other, "write")
    url = f"{A}/live-sessions/{session.id}/polls/{poll.id}/ballot"
    first = api("PUT", url, token, json={"choice": 1})
    assert first.status_code == 200 and first.json == {"poll_id": poll.id, "choices": [1]}
    same = api("PUT", url, token, json={"choice": 1})  # a retry changes nothing
    assert same.status_code == 200
    other = api("PUT", url, token, json={"choice": 0})
    assert other.status_code == 409 and other.json["code"] == "already_voted"
    [ballot] = db.session.scalars(select(Ballot)).all()
    assert ballot.choices == [1]


@pytest.mark.parametrize("choice", [3, -1, [0, 1], "yes", True, None, []])
def test_a_choice_that_is_not_one_of_the_polls_is_refused(api, world, token_for, choice):
    session = live_session(world)
    poll = _poll(session)
    response = api("PUT", f"{A}/live-sessions/{session.id}/polls/{poll.id}/ballot",
                   token_for(world.other, "write"), json={"choice": choice})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(Ballot)) is None


def test_several_choices_where_the_poll_allows_them(api, world, token_for):
    session = live_session(world)
    poll = _poll(session, multiple=True)
    response = api("PUT", f"{A}/live-sessions/{session.id}/polls/{poll.id}/ballot",
                   token_for(world.other, "write"), json={"choice": [2, 0]})
    assert response.status_code == 200 and response.json["choices"] == [0, 2]


def test_a_closed_poll_refuses_votes(api, world, token_for):
    session = live_session(world)
    poll = _poll(session)
    poll.status = PollStatus.CLOSED
    db.session.commit()
    response = api("PUT", f"{A}/live-sessions/{session.id}/polls/{poll.id}/ballot",
                   token_for(world.other, "write"), json={"choice": 0})
    assert response.status_code == 409
    assert api("PUT", f"{A}/live-sessions/{session.id}/polls/{poll.id}/ballot",
               token_for(world.other, "read"), json={"choice": 0}).status_code == 403
    assert db.session.scalar(select(Ballot)) is None


def test_the_new_routes_are_in_the_document(api):
    paths = api("GET", f"{A}/openapi.json").json["paths"]
    for path, method in [
            ("/api/v1/me/subscriptions", "get"),
            ("/api/v1/me/subscriptions/{kind}/{target_id}", "put"),
            ("/api/v1/me/subscriptions/{kind}/{target_id}", "delete"),
            ("/api/v1/me/notifications/{notice_id}/read", "post"),
            ("/api/v1/live-sessions/{session_id}/rsvp", "put"),
            ("/api/v1/live-sessions/{session_id}/rsvp", "delete"),
            ("/api/v1/live-sessions/{session_id}/questions/{question_id}/upvote", "put"),
            ("/api/v1/live-sessions/{session_id}/polls/{poll_id}/ballot", "put")]:
        operation = paths[path][method]
        scope = "read" if method == "get" else "write"
        assert {"bearer": [scope]} in operation["security"], (path, method)
