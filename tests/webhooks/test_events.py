"""Each kind of event is emitted by the service that makes the change, with its data."""
from __future__ import annotations

from datetime import timedelta

from forum.models.live import SessionStatus
from forum.services.deliberation import commitments, outcomes, proposals
from forum.services.live import moderation as live_moderation
from forum.services.live import room
from forum.services.moderation import review
from tests import factories
from tests.proposals.conftest import make_live_session, make_proposal


def _kinds(rec) -> list[str]:
    return [r["json"]["kind"] for r in rec.received]


def test_a_flag_decision_is_sent(db, receiver, register, run_jobs):
    rec = receiver()
    register(rec, "flag.decided")
    author = factories.make_user(verified=True)
    thread = factories.make_thread(factories.make_topic(), author, posts=2)
    from sqlalchemy import select

    from forum.models.discussion import Post

    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.position == 2))
    flag = review.flag(factories.make_user(verified=True), "post", post.id, "spam", "")
    mod = factories.make_moderator()
    review.decide(mod, "post", post.id, "hide", "Reklam")
    run_jobs()
    [got] = rec.received
    assert got["json"]["data"]["decision"] == {
        "target_type": "post", "target_id": post.id, "thread_id": thread.id, "decision": "hide",
        "flag_ids": [flag.id], "moderator": {"id": mod.id, "display_name": mod.display_name}}


def test_a_live_session_start_and_end_are_sent(db, receiver, register, run_jobs):
    rec = receiver()
    register(rec, "live_session.started", "live_session.ended", "thread.created")
    mod = factories.make_moderator()
    session = make_live_session(moderator=mod, status=SessionStatus.SCHEDULED)
    live_moderation.moderate(mod, session.id, "start", {}, "sid-1")
    room.join(mod, session.id, "sid-1")
    live_moderation.moderate(mod, session.id, "end", {}, "sid-1")
    run_jobs()
    assert sorted(_kinds(rec)) == ["live_session.ended", "live_session.started",
                                   "thread.created"]  # the archive is a new thread
    ended = next(r for r in rec.received if r["json"]["kind"] == "live_session.ended")
    assert ended["json"]["data"]["live_session"]["status"] == "ended"
    assert ended["json"]["data"]["archive_thread_id"]


def test_closing_a_proposal_and_its_commitments_are_sent(db, receiver, register, run_jobs):
    rec = receiver()
    register(rec, "proposal.closed", "commitment.changed")
    made = make_proposal()
    mod = factories.make_moderator()
    proposals.close(mod, made.id, "Beslutat")
    outcomes.save(mod, made.id, outcomes.OutcomeData("agreed", "Antaget."))
    owner = factories.make_user()
    item = commitments.record_for_outcome(mod, made.id, commitments.CommitmentData(
        owner_email=owner.email, text="Publicera planen",
        due_on=commitments.today() + timedelta(days=60),
        review_on=commitments.today() + timedelta(days=30)))
    commitments.update_status(owner, item.id, "in_progress", "Upphandling pågår")
    run_jobs()
    assert _kinds(rec) == ["proposal.closed", "commitment.changed", "commitment.changed"]
    closed, recorded, changed = (r["json"]["data"] for r in rec.received)
    assert closed["proposal"]["id"] == made.id and closed["proposal"]["closed_at"]
    assert closed["proposal"]["tally"]["all"]["total"]["count"] == 0  # no one took a position
    assert recorded["change"] == "recorded" and recorded["commitment"]["status"] == "open"
    assert changed["change"] == "status"
    assert changed["commitment"]["status"] == "in_progress"
    assert changed["commitment"]["note"] == "Upphandling pågår"
