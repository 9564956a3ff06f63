"""The planned dump gives exactly what marshmallow's own dump gives, for every response
schema of the API, on real objects (posts in every state, threads, members, sessions)."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema

from forum.blueprints.api.schemas import common, discussion, live, moderation
from forum.blueprints.api.schemas.fast import plan_of
from forum.extensions import db
from forum.models.base import utcnow
from forum.models.discussion import PostStatus
from forum.services.discussion import listing
from tests import factories


def same(schema_cls, obj) -> None:
    expected = Schema.dump(schema_cls(), obj)  # marshmallow's own path
    assert plan_of(schema_cls)(obj) == expected
    assert schema_cls().dump(obj) == expected


def test_posts_threads_topics_and_members_dump_alike(app, world):
    with app.test_request_context("/api/v1/x"):
        hidden = factories.make_post(world.thread, world.other, hidden_at=utcnow(),
                                     hidden_reason="Off topic")
        factories.make_post(world.thread, world.other, status=PostStatus.PENDING,
                            edited_at=utcnow(), edit_count=2, deleted_at=utcnow())
        viewer = world.author
        _thread, rows, _waiting = listing.posts(viewer, world.thread.id, 0, 50)
        for item in listing.as_listed(viewer, rows):
            same(discussion.Post, item)
            same(discussion.Reactions, item)
        assert hidden.id in [p.id for p in rows]
        world.thread.hidden_at = utcnow() - timedelta(minutes=1)
        same(discussion.Thread, world.thread)
        same(discussion.Topic, world.topic)
        same(discussion.Area, world.area)
        same(common.Member, world.author)


def test_pages_and_dict_answers_dump_alike(app, world):
    with app.test_request_context("/api/v1/x"):
        page = {"items": [world.topic], "next": None}
        same(discussion.TopicPage, page)
        same(live.Asked, {"question_id": 3, "status": "open", "seq": 9})
        same(moderation.DecisionDone, {"target_type": "post", "target_id": 1,
                                       "decision": "hide", "reason": "x"})
        db.session.rollback()


def test_live_sessions_and_questions_dump_alike(app, world):
    from forum.models.live import Question
    from forum.services.live import stream
    from tests.api.test_live import live_session

    with app.test_request_context("/api/v1/x"):
        session = live_session(world)
        question = Question(session_id=session.id, author_id=world.other.id,
                            sector=world.other.sector, body="Why?")
        db.session.add(question)
        db.session.commit()
        same(live.LiveSession, session)
        same(live.Question, stream.question_wire(session, question))
