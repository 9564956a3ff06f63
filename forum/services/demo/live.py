"""Demo live sessions: an upcoming one, one that is live now (open to any member) and an
archived one held under the Chatham House Rule. Built through the same services as the room."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from forum import i18n
from forum.extensions import db
from forum.models.base import utcnow
from forum.models.discussion import FocusArea, Topic, TopicStatus
from forum.models.live import Rsvp
from forum.services.live import moderation as live_moderation
from forum.services.live import room as live_room
from forum.services.live import sessions as live_sessions
from forum.services.live.sessions import SessionData


def _topic(title_hint: str) -> Topic:
    """A demo topic made by the discussion demo, or a new one if there is none."""
    topics = db.session.scalars(select(Topic).where(Topic.status == TopicStatus.OPEN)
                                .order_by(Topic.id)).all()
    for topic in topics:
        if title_hint.lower() in topic.title.lower():
            return topic
    if topics:
        return topics[0]
    area = db.session.scalar(select(FocusArea).order_by(FocusArea.position))
    topic = Topic(focus_area_id=area.id, title="Hur leder vi staden tillsammans?",
                  framing_source="Roller och ansvar mellan politik, förvaltning och näringsliv.",
                  framing_html="<p>Roller och ansvar mellan politik, förvaltning och "
                               "näringsliv.</p>")
    db.session.add(topic)
    db.session.commit()
    return topic


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(i18n.local_time(utcnow()).date() + timedelta(days=days),
                            time(hour, minute), tzinfo=i18n.display_zone())


def _session(cast, title, topic, starts, minutes, **fields):
    data = SessionData(title=title, topic_id=topic.id, starts_at=starts,
                       ends_at=starts + timedelta(minutes=minutes),
                       moderators=[cast["mod"].email], **fields)
    return live_sessions.create(cast["mod"], data)


def _say(session_id: int, person, kind: str, body: str) -> dict:
    sid = f"demo-{person.id}"
    live_room.join(person, session_id, sid)
    outcome = getattr(live_room, kind)(person, session_id, body, sid)
    live_room.leave(person, session_id, sid)
    return outcome.reply


def _moderate(cast, session_id: int, action: str, **payload) -> dict:
    mod, sid = cast["mod"], "demo-moderator"
    live_room.join(mod, session_id, sid)
    reply = live_moderation.moderate(mod, session_id, action, payload, sid).reply
    live_room.leave(mod, session_id, sid)
    return reply


def _upvote(person, question_id: int, session_id: int) -> None:
    sid = f"demo-{person.id}"
    live_room.join(person, session_id, sid)
    live_room.upvote(person, question_id, sid)
    live_room.leave(person, session_id, sid)


def _vote(person, poll_id: int, choice, session_id: int) -> None:
    sid = f"demo-{person.id}"
    live_room.join(person, session_id, sid)
    live_room.vote(person, poll_id, choice, sid)
    live_room.leave(person, session_id, sid)


def _upcoming(cast) -> None:
    topic = _topic("bostä")
    session = _session(
        cast, "Rundabord: bostadsbyggandet i Helsingborg 2030", topic, _at(3, 18), 90,
        description="**Agenda**\n\n1. Läget i dag (Karin Sjöberg)\n2. Vad hindrar byggandet?\n"
                    "3. Frågor från deltagarna",
        hosts=[cast["anna"].email, cast["maria"].email])
    for key in ("omar", "leila", "per"):
        db.session.add(Rsvp(session_id=session.id, user_id=cast[key].id))
    db.session.commit()


def _live_now(cast) -> None:
    topic = _topic("trygg")
    starts = utcnow() - timedelta(minutes=20)
    session = _session(
        cast, "Öppet samtal: trygghet i stadsdelarna", topic, starts, 120,
        description="Ett öppet samtal där alla medlemmar kan delta. Räck upp handen för att "
                    "tala, ställ frågor och rösta.",
        hosts=[cast["leila"].email, cast["karin"].email])
    _moderate(cast, session.id, "start")
    _say(session.id, cast["leila"], "chat", "Välkomna! Vi börjar med läget i Drottninghög.")
    _say(session.id, cast["karin"], "chat", "Förvaltningen har fler fältarbetare sedan i våras.")
    asked = _say(session.id, cast["sara"], "ask", "Hur kan boende vara med och påverka?")
    _upvote(cast["omar"], asked["question_id"], session.id)
    _upvote(cast["per"], asked["question_id"], session.id)
    _say(session.id, cast["jonas"], "ask", "Kan näringslivet bidra med sommarjobb?")
    poll = _moderate(cast, session.id, "open_poll", question="Har tryggheten ökat det senaste "
                     "året?", choices=["Ja", "Nej", "Vet inte"])
    for key, choice in (("omar", 1), ("per", 2), ("karin", 0), ("sara", 1)):
        _vote(cast[key], poll["poll_id"], choice, session.id)
    sid = f"demo-{cast['per'].id}"
    live_room.join(cast["per"], session.id, sid)
    live_room.hand(cast["per"], session.id, True, sid)
    live_room.leave(cast["per"], session.id, sid)


def _archived(cast) -> None:
    topic = _topic("styr")
    session = _session(
        cast, "Chatham House: samverkan mellan politik och förvaltning", topic,
        utcnow() - timedelta(days=6), 60, attribution="sector_only",
        description="Ett samtal under Chatham House-regeln om roller och ansvar.",
        hosts=[cast["anna"].email])
    _moderate(cast, session.id, "start")
    _say(session.id, cast["anna"], "chat", "Politiken ska peka ut riktningen, inte detaljerna.")
    _say(session.id, cast["erik"], "chat", "Då behöver uppdragen vara tydligare skrivna.")
    q1 = _say(session.id, cast["maria"], "ask", "Hur snabbt kan staden fatta beslut om mark?")
    _say(session.id, cast["per"], "ask", "Finns forskning om tillitsbaserad styrning som vi "
         "kan använda?")
    _upvote(cast["omar"], q1["question_id"], session.id)
    _moderate(cast, session.id, "answer", question_id=q1["question_id"])
    poll = _moderate(cast, session.id, "open_poll", question="Är ansvarsfördelningen tydlig?",
                     choices=["Ja", "Delvis", "Nej"])
    for key, choice in (("anna", 0), ("erik", 1), ("maria", 2), ("per", 1)):
        _vote(cast[key], poll["poll_id"], choice, session.id)
    _moderate(cast, session.id, "close_poll", poll_id=poll["poll_id"])
    again = _moderate(cast, session.id, "open_poll", repeat_of=poll["poll_id"])
    for key, choice in (("anna", 0), ("erik", 0), ("maria", 1), ("per", 1)):
        _vote(cast[key], again["poll_id"], choice, session.id)
    _moderate(cast, session.id, "end")


def add(cast: dict) -> str:
    _upcoming(cast)
    _live_now(cast)
    _archived(cast)
    return "Live sessions: one upcoming, one live now, one archived."
