"""Live-session reminders: members who RSVPed to a session, or follow it, hear 15 minutes
before it starts and again when it starts. A periodic job runs every minute; each stage of
each session is claimed by inserting its `SessionReminder` row, so it goes out once even
when two workers run the job at the same moment. Members who may no longer see the session
(an invitation withdrawn) hear nothing."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from forum import jobs
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import insert_or_merge, utcnow
from forum.models.live import LiveSession, SessionStatus
from forum.models.notifications import FollowTarget, SessionReminder
from forum.permissions import Action, can
from forum.services.live import rsvps
from forum.services.notifications import following, store

AHEAD = timedelta(minutes=15)
LATE = timedelta(minutes=15)  # a "starting now" later than this is not worth sending


@jobs.periodic(jobs.crontab(minute="*"))
def live_session_reminders() -> None:
    """Every minute: the reminders that are due."""
    send_session_reminders()


def send_session_reminders(now: datetime | None = None) -> dict[str, int]:
    """Send the due reminders; returns how many sessions had each stage sent."""
    now = now or utcnow()
    sent = {"soon": 0, "now": 0}
    starting = db.session.scalars(select(LiveSession).where(
        LiveSession.status.in_([SessionStatus.SCHEDULED, SessionStatus.LIVE]),
        LiveSession.starts_at <= now, LiveSession.starts_at > now - LATE))
    for session in starting.all():
        if _claim(session.id, "now", now):
            _claim(session.id, "soon", now)  # too late for "in 15 minutes"
            _tell(session, "session_now")
            sent["now"] += 1
    upcoming = db.session.scalars(select(LiveSession).where(
        LiveSession.status == SessionStatus.SCHEDULED,
        LiveSession.starts_at > now, LiveSession.starts_at <= now + AHEAD))
    for session in upcoming.all():
        if _claim(session.id, "soon", now):
            _tell(session, "session_soon")
            sent["soon"] += 1
    db.session.commit()
    return sent


def _claim(session_id: int, stage: str, now: datetime) -> bool:
    claimed = db.session.execute(insert_or_merge(SessionReminder).values(
        session_id=session_id, stage=stage, sent_at=now).on_conflict_do_nothing()
        .returning(SessionReminder.session_id)).scalar()
    return claimed is not None


def _tell(session: LiveSession, kind: str) -> None:
    people = {u.id: u for u in rsvps.members_for(session)}
    for user_id in following.followers(FollowTarget.SESSION, session.id):
        member = people.get(user_id) or db.session.get(User, user_id)
        if member is not None and member.erased_at is None \
                and can(member, Action.VIEW_LIVE, session):
            people[user_id] = member
    for user_id in sorted(people):
        store.notify(user_id, kind, {"title": session.title, "session_id": session.id})
