"""iCalendar (RFC 5545) files of live sessions: one session, the upcoming public sessions,
and a member's private calendar of the sessions they RSVPed. Written with `icalendar`;
every time is in UTC and every session keeps one UID in all of them."""
from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.live import LiveSession, SessionStatus, Visibility
from forum.permissions import Action, can
from forum.services.feeds import ids, public
from forum.services.live import rsvps

UPCOMING_LIMIT = 200
KEEP_PAST = timedelta(days=90)  # a private calendar keeps recent sessions, so they stay put


def session_file(session: LiveSession) -> bytes:
    """One session as a calendar file (the 'add to calendar' link on its page)."""
    with force_locale(ids.language()):
        return _calendar(session.title, [session])


def upcoming_public() -> bytes:
    """Public sessions not over yet (live now or upcoming), and upcoming ones that were
    cancelled, so subscribed calendars strike them out."""
    now = utcnow()
    rows = db.session.scalars(
        select(LiveSession).where(LiveSession.visibility == Visibility.PUBLIC,
                                  LiveSession.ends_at > now,
                                  LiveSession.status != SessionStatus.ENDED)
        .order_by(LiveSession.starts_at, LiveSession.id).limit(UPCOMING_LIMIT))
    anyone = public.reader()
    sessions = [s for s in rows if can(anyone, Action.VIEW_LIVE, s)]
    with force_locale(ids.language()):
        return _calendar(_("Rådslag: live sessions"), sessions)


def member_sessions(member: User) -> bytes:
    """The sessions `member` RSVPed to and may still see, from the last 90 days on."""
    since = utcnow() - KEEP_PAST
    sessions = [s for s in rsvps.sessions_for(member, upcoming=False) if s.ends_at > since]
    with force_locale(ids.language()):
        return _calendar(_("Rådslag: my live sessions"), sessions)


def _calendar(name: str, sessions: list[LiveSession]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//Rådslag//Live sessions//{ids.language().upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    for session in sessions:
        cal.add_component(_event(session))
    return cal.to_ical()


def _event(session: LiveSession) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", ids.session_uid(session.id))
    event.add("dtstamp", _revised(session))
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.title)
    if session.description_source:
        event.add("description", session.description_source)
    event.add("url", url_for("live.show", session_id=session.id, _external=True))
    if session.meeting_url:  # shown on the session page to everyone who may see it
        event.add("location", session.meeting_url)
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED
              else "CONFIRMED")
    return event


def _revised(session: LiveSession) -> datetime:
    """The latest change we know of (sessions keep no edit time): DTSTAMP without METHOD
    means 'last revised', and a fixed value keeps the file's ETag stable between edits."""
    return max(t for t in (session.created_at, session.started_at, session.ended_at) if t)
