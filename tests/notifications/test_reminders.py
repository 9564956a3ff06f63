"""Members who RSVPed to a live session (or follow it) hear 15 minutes before it starts and
when it starts, once each, from a periodic job; an invite-only session's reminder never
reaches a member who is not invited."""
from __future__ import annotations

from datetime import timedelta

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.live import SessionStatus, Visibility
from forum.services import notifications
from forum.services.live import rsvps
from forum.services.notifications import following, reminders
from tests.live.conftest import make_live_session
from tests.notifications.conftest import notices


def _upcoming(minutes: int, **overrides):
    start = utcnow() + timedelta(minutes=minutes)
    return make_live_session(status=SessionStatus.SCHEDULED, starts_at=start,
                             ends_at=start + timedelta(hours=1), **overrides)


def test_rsvped_members_hear_fifteen_minutes_ahead_and_at_the_start(anna):
    session = _upcoming(30, title="Bostäder")
    rsvps.rsvp(anna, session.id)
    assert reminders.send_session_reminders() == {"soon": 0, "now": 0}
    assert reminders.send_session_reminders(utcnow() + timedelta(minutes=16)) == \
        {"soon": 1, "now": 0}
    assert reminders.send_session_reminders(utcnow() + timedelta(minutes=17)) == \
        {"soon": 0, "now": 0}  # once
    assert reminders.send_session_reminders(utcnow() + timedelta(minutes=31)) == \
        {"soon": 0, "now": 1}
    soon, now = notices(anna)
    assert (soon.kind, now.kind) == ("session_soon", "session_now")
    assert notifications.worded(soon, "en").text == \
        "The live session “Bostäder” starts in 15 minutes."
    assert notifications.worded(now, "sv").text == "Livesessionen ”Bostäder” börjar nu."
    assert notifications.worded(now, "en").link == f"/live/{session.id}"


def test_followers_of_a_session_hear_too_and_others_do_not(anna, karin):
    session = _upcoming(10)
    following.follow(karin, "session", session.id)
    reminders.send_session_reminders()
    assert [n.kind for n in notices(karin)] == ["session_soon"]
    assert notices(anna) == []


def test_a_session_already_started_gets_only_the_start_reminder(anna):
    session = _upcoming(30)
    rsvps.rsvp(anna, session.id)
    reminders.send_session_reminders(utcnow() + timedelta(minutes=32))
    assert [n.kind for n in notices(anna)] == ["session_now"]


def test_an_invite_only_session_reminds_only_those_still_invited(anna, karin):
    session = _upcoming(10, visibility=Visibility.INVITE_ONLY, invitees=[anna, karin])
    rsvps.rsvp(anna, session.id)
    rsvps.rsvp(karin, session.id)
    from forum.models.live import Invitation
    db.session.delete(db.session.get(Invitation, (session.id, karin.id)))
    db.session.commit()
    reminders.send_session_reminders()
    assert [n.kind for n in notices(anna)] == ["session_soon"]
    assert notices(karin) == []


def test_a_cancelled_session_reminds_no_one(anna):
    session = _upcoming(10)
    rsvps.rsvp(anna, session.id)
    session.status = SessionStatus.CANCELLED
    db.session.commit()
    reminders.send_session_reminders()
    assert notices(anna) == []


def test_the_reminders_run_as_a_periodic_job_on_the_queue(app):
    from forum import jobs

    job = jobs.find("forum.services.notifications.reminders.live_session_reminders")
    assert job is not None
    from datetime import datetime

    at_any_minute = datetime(2026, 12, 2, 14, 37)
    due = {task.name for task in jobs.huey.read_periodic(at_any_minute)}
    assert "live_session_reminders" in due and "send_daily_digests" not in due
    assert "send_daily_digests" in {t.name for t in jobs.huey.read_periodic(
        datetime(2026, 12, 2, 5, 0))}
