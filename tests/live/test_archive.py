"""Ending a session archives it as a thread that follows the attribution mode."""
from __future__ import annotations

from sqlalchemy import select

from forum.models.accounts import Sector
from forum.models.discussion import Post, Thread
from forum.models.live import Attribution, LiveSession, SessionStatus
from tests import factories
from tests.live.conftest import ack


def _run_session(live_client, session, mod, member):
    m, a = live_client(mod), live_client(member)
    assert ack(m, "join", {"session_id": session.id})["ok"]
    assert ack(a, "join", {"session_id": session.id})["ok"]
    assert ack(a, "chat", {"session_id": session.id, "body": "Parking is the issue"})["ok"]
    answered = ack(a, "ask", {"session_id": session.id, "body": "Who pays for it?"})
    open_q = ack(a, "ask", {"session_id": session.id, "body": "When does it start?"})
    hidden = ack(a, "ask", {"session_id": session.id, "body": "Off topic"})
    assert ack(m, "moderate", {"session_id": session.id, "action": "answer",
                               "question_id": answered["question_id"]})["ok"]
    assert ack(m, "moderate", {"session_id": session.id, "action": "hide", "reason": "Off topic",
                               "question_id": hidden["question_id"]})["ok"]
    poll = ack(m, "moderate", {"session_id": session.id, "action": "open_poll",
                               "question": "Toll?", "choices": ["Yes", "No"]})
    assert ack(a, "vote", {"poll_id": poll["poll_id"], "choice": 1})["ok"]
    assert ack(m, "moderate", {"session_id": session.id, "action": "close_poll",
                               "poll_id": poll["poll_id"]})["ok"]
    again = ack(m, "moderate", {"session_id": session.id, "action": "open_poll",
                                "repeat_of": poll["poll_id"]})
    assert ack(a, "vote", {"poll_id": again["poll_id"], "choice": 0})["ok"]
    assert ack(a, "hand", {"session_id": session.id, "raised": True})["ok"]
    assert ack(m, "moderate", {"session_id": session.id, "action": "next_speaker"})["ok"]
    ended = ack(m, "moderate", {"session_id": session.id, "action": "end"})
    assert ended["ok"], ended
    return open_q


def _archive(db, session) -> tuple[Thread, list[Post]]:
    db.session.expire_all()
    stored = db.session.get(LiveSession, session.id)
    assert stored.status == SessionStatus.ENDED
    thread = db.session.get(Thread, stored.archive_thread_id)
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                               .order_by(Post.position)).all()
    return thread, posts


def test_end_archives_questions_chat_polls_turns_and_attendance(db, live_client, live_session):
    mod = factories.make_moderator()
    member = factories.make_user(sector=Sector.BUSINESS, display_name="Maria Berg")
    session = live_session(moderator=mod)
    _run_session(live_client, session, mod, member)
    thread, posts = _archive(db, session)
    assert thread.topic_id == session.topic_id
    summary = posts[0].body_source
    for heading in ("Attendance by sector", "Questions", "Polls", "Speaking turns by sector",
                    "Chat", "Opinion shift"):
        assert heading in summary, heading
    assert "Maria Berg" in summary and "Parking is the issue" in summary
    assert "Off topic" not in summary
    continued = [p.body_source for p in posts[1:]]
    assert len(continued) == 2
    assert all(p.author_id == member.id for p in posts[1:])
    assert any("Who pays for it?" in body for body in continued)


def test_chatham_house_archive_keeps_sectors_not_names(db, live_client, live_session):
    mod = factories.make_moderator()
    member = factories.make_user(sector=Sector.BUSINESS, display_name="Maria Berg",
                                 organisation="Öresund Logistik AB")
    session = live_session(moderator=mod, attribution=Attribution.SECTOR_ONLY)
    _run_session(live_client, session, mod, member)
    _thread, posts = _archive(db, session)
    text = "\n".join(p.body_source for p in posts)
    assert "Maria Berg" not in text and "Öresund" not in text
    assert "Business" in text or "Näringsliv" in text
    assert all(p.author_id == mod.id for p in posts)


def test_sector_only_room_shows_no_names_live(db, live_client, live_session):
    session = live_session(attribution=Attribution.SECTOR_ONLY)
    member = factories.make_user(sector=Sector.ACADEMIA, display_name="Per Holm")
    a = live_client(member)
    assert ack(a, "join", {"session_id": session.id})["ok"]
    a.get_received("/live")
    assert ack(a, "chat", {"session_id": session.id, "body": "hello"})["ok"]
    event = [m["args"][0] for m in a.get_received("/live") if m["name"] == "event"][0]
    assert event["actor"] == {"sector": "academia", "role": "member"}
