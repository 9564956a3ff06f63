"""Demo notifications: members follow an area, a topic, a thread and the upcoming live
session; fresh replies then give Anna a reply, a mention and a new post in what she follows,
and Maria's daily digest is written to the outbox at once, so a newcomer can open one."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.discussion import FocusArea, Post, PostStatus, Thread, Topic
from forum.models.live import LiveSession, SessionStatus
from forum.services.discussion import posting
from forum.services.notifications import following, mailing

HARBOUR = "A joint development company, with the city in the chair"


def add(cast: dict) -> str:
    area = db.session.scalar(select(FocusArea).where(FocusArea.slug == "city-governance"))
    thread = db.session.scalar(select(Thread).where(Thread.title == HARBOUR))
    if area is None or thread is None:
        return ""
    following.follow(cast["anna"], "area", area.id)
    topic = db.session.get(Topic, thread.topic_id)
    following.follow(cast["karin"], "topic", topic.id)
    following.follow(cast["maria"], "thread", thread.id)
    upcoming = db.session.scalar(select(LiveSession).where(
        LiveSession.status == SessionStatus.SCHEDULED).order_by(LiveSession.starts_at))
    if upcoming is not None:
        following.follow(cast["leila"], "session", upcoming.id)
    answered = db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                    Post.position == 2))
    # building blocks, as the rest of the demo: published at once (no pre-moderation)
    posting.append_post(thread, cast["sara"],
                  "Som invånare i Norr undrar jag: hur får vi som bor här vara med när "
                  "bolagets styrelse fattar beslut? @Anna_Lindqvist, kan det bli öppna "
                  "styrelsemöten?", parent=answered, status=PostStatus.PUBLISHED)
    posting.append_post(thread, cast["per"],
                  "Forskningen om gemensamma utvecklingsbolag visar att insyn måste skrivas "
                  "in i bolagsordningen från början, annars blir den en eftergift.",
                  status=PostStatus.PUBLISHED)
    db.session.commit()
    sent = mailing.send_digest(cast["maria"].id)
    return (f"Notifications: follows for anna, karin, maria and leila; {sent} notices in "
            "Maria's daily digest, written to the outbox now.")
