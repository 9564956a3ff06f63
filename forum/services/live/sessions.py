"""Scheduling live sessions: create, edit, cancel and the listings (RSVPs are in `rsvps`,
calendar files in `forum.services.feeds.calendar`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from forum import i18n
from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.discussion import Topic, TopicStatus
from forum.models.live import (
    Attribution,
    Invitation,
    LiveSession,
    SessionPerson,
    SessionRole,
    SessionStatus,
    Visibility,
)
from forum.permissions import Action, can, require
from forum.services import accounts
from forum.services.discussion import posting

MAX_DESCRIPTION = 10_000


@dataclass
class SessionData:
    title: str
    topic_id: int
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    description: str = ""
    visibility: str = Visibility.PUBLIC.value
    attribution: str = Attribution.ON_RECORD.value
    meeting_url: str = ""
    premoderate_questions: bool = False
    hosts: list[str] = field(default_factory=list)  # emails
    moderators: list[str] = field(default_factory=list)
    invitees: list[str] = field(default_factory=list)


def local_to_utc(moment: datetime | None) -> datetime | None:
    """A wall-clock time typed in Stockholm time, as an aware datetime."""
    if moment is None:
        return None
    return moment.replace(tzinfo=i18n.display_zone()) if moment.tzinfo is None else moment


def get(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None:
        raise NotFound(_("No such live session."))
    return session


def for_viewer(user, session_id: int) -> LiveSession:
    """The session page: public ones for all, members-only for members, invite-only for the
    invited (others get 'not found', so the list of invite-only sessions stays private)."""
    session = get(session_id)
    if not can(user, Action.VIEW_LIVE, session):
        raise NotFound(_("No such live session."))
    return session


def listing(user) -> dict[str, list[LiveSession]]:
    """Live now, upcoming and past sessions this user may see."""
    rows = db.session.scalars(select(LiveSession).options(selectinload(LiveSession.topic))
                              .order_by(LiveSession.starts_at)).all()
    visible = [s for s in rows if can(user, Action.VIEW_LIVE, s)]
    return {
        "live": [s for s in visible if s.status == SessionStatus.LIVE],
        "upcoming": [s for s in visible if s.status == SessionStatus.SCHEDULED],
        "past": sorted((s for s in visible if s.status in (SessionStatus.ENDED,
                                                           SessionStatus.CANCELLED)),
                       key=lambda s: s.starts_at, reverse=True),
    }


def topic_choices(user) -> list[Topic]:
    topics = db.session.scalars(select(Topic).where(Topic.status != TopicStatus.ARCHIVED)
                                .order_by(Topic.title)).all()
    return [t for t in topics if can(user, Action.MANAGE_LIVE, t.focus_area_id)]


def create(actor: User, data: SessionData) -> LiveSession:
    """Moderators of the topic's focus area schedule sessions."""
    topic = _topic(data.topic_id)
    require(actor, Action.MANAGE_LIVE, topic.focus_area_id)
    session = LiveSession(created_by_id=actor.id, focus_area_id=topic.focus_area_id,
                          topic_id=topic.id, title="", starts_at=utcnow(), ends_at=utcnow())
    _apply(session, data, topic)
    db.session.add(session)
    db.session.flush()
    _set_people(session, data, actor)
    db.session.commit()
    return session


def edit(actor: User, session_id: int, data: SessionData) -> LiveSession:
    """Editable until it ends; the attribution mode is fixed once the room has opened."""
    session = get(session_id)
    require(actor, Action.MANAGE_LIVE, session)
    if session.status in (SessionStatus.ENDED, SessionStatus.CANCELLED):
        raise Conflict(_("An ended or cancelled session cannot be edited."))
    if session.status == SessionStatus.LIVE and data.attribution != session.attribution.value:
        raise InvalidInput({"attribution": _("The attribution cannot change during a session.")})
    topic = _topic(data.topic_id)
    require(actor, Action.MANAGE_LIVE, topic.focus_area_id)
    _apply(session, data, topic)
    _set_people(session, data, actor)
    db.session.commit()
    return session


def cancel(actor: User, session_id: int, reason: str) -> LiveSession:
    session = get(session_id)
    require(actor, Action.MANAGE_LIVE, session)
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(_("Only an upcoming session can be cancelled."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise InvalidInput({"reason": _("Please give a reason (at most 500 characters).")})
    session.status, session.cancelled_reason = SessionStatus.CANCELLED, reason
    db.session.commit()
    return session


# --- helpers ---------------------------------------------------------------------------------


def _topic(topic_id) -> Topic:
    topic = db.session.get(Topic, topic_id) if isinstance(topic_id, int) else None
    if topic is None:
        raise InvalidInput({"topic_id": _("Choose a topic.")})
    return topic


def _apply(session: LiveSession, data: SessionData, topic: Topic) -> None:
    errors = {}
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = _("Give a title of at most 200 characters.")
    if len(data.description or "") > MAX_DESCRIPTION:
        errors["description"] = _("At most %(n)d characters.", n=MAX_DESCRIPTION)
    if data.starts_at is None or data.ends_at is None:
        errors["starts_at"] = _("Give a start and an end time.")
    elif data.ends_at <= data.starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    elif data.ends_at - data.starts_at > timedelta(hours=12):
        errors["ends_at"] = _("A session lasts at most 12 hours.")
    url = (data.meeting_url or "").strip()
    if url and (urlsplit(url).scheme != "https" or not urlsplit(url).netloc or len(url) > 500):
        errors["meeting_url"] = _("Give a full https:// address, or leave it empty.")
    try:
        visibility, attribution = Visibility(data.visibility), Attribution(data.attribution)
    except ValueError:
        errors["visibility"] = _("Choose one of the options.")
    if errors:
        raise InvalidInput(errors)
    session.title, session.topic_id, session.focus_area_id = title, topic.id, topic.focus_area_id
    session.description_source = data.description or ""
    session.description_html = posting.render(data.description or "")
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.visibility, session.attribution = visibility, attribution
    session.meeting_url, session.premoderate_questions = url, bool(data.premoderate_questions)


def _members(emails: list[str], field_name: str) -> list[User]:
    found, missing = [], []
    for email in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
        user = accounts.find_by_email(email)
        (found if user is not None and user.is_active else missing).append(user or email)
    if missing:
        raise InvalidInput({field_name: _("No member with the address %(emails)s.",
                                          emails=", ".join(missing))})
    return found


def _set_people(session: LiveSession, data: SessionData, actor: User) -> None:
    hosts = _members(data.hosts, "hosts")
    moderators = _members(data.moderators, "moderators") or [actor]
    invitees = _members(data.invitees, "invitees")
    session.people.clear()
    db.session.flush()
    for role, people in ((SessionRole.HOST, hosts), (SessionRole.MODERATOR, moderators)):
        for position, user in enumerate(people):
            session.people.append(SessionPerson(user_id=user.id, role=role, position=position))
    db.session.execute(delete(Invitation).where(Invitation.session_id == session.id))
    for user in invitees:
        db.session.add(Invitation(session_id=session.id, user_id=user.id))


def form_data(session: LiveSession) -> dict:
    """The session as the edit form shows it (times in Stockholm, people as addresses)."""
    def emails(role):
        return "\n".join(u.email for u in session.people_with(role))

    invited = db.session.scalars(select(User.email).join(
        Invitation, Invitation.user_id == User.id).where(Invitation.session_id == session.id))
    return {"title": session.title, "topic_id": session.topic_id,
            "description": session.description_source,
            "starts_at": i18n.local_time(session.starts_at).replace(tzinfo=None),
            "ends_at": i18n.local_time(session.ends_at).replace(tzinfo=None),
            "visibility": session.visibility.value, "attribution": session.attribution.value,
            "meeting_url": session.meeting_url,
            "premoderate_questions": session.premoderate_questions,
            "hosts": emails(SessionRole.HOST), "moderators": emails(SessionRole.MODERATOR),
            "invitees": "\n".join(invited)}
