"""Session pages: listings, scheduling, RSVP, the calendar file, visibility."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.models.base import utcnow
from forum.models.live import LiveSession, Rsvp, SessionStatus, Visibility
from tests import factories
from tests.live.conftest import make_live_session


def _form(topic, **overrides) -> dict:
    data = {"title": "Housing roundtable", "topic_id": topic.id, "description": "**Agenda**",
            "starts_at": "2030-05-01T18:00", "ends_at": "2030-05-01T19:30",
            "visibility": "public", "attribution": "sector_only", "meeting_url": "",
            "hosts": "", "moderators": "", "invitees": ""}
    data.update(overrides)
    return data


def test_index_groups_live_upcoming_and_past(client, db):
    make_live_session(title="Now on")
    make_live_session(title="Later", status=SessionStatus.SCHEDULED)
    make_live_session(title="Done", status=SessionStatus.ENDED)
    page = client.get("/live/").get_data(as_text=True)
    assert page.index("Now on") < page.index("Later") < page.index("Done")


def test_moderator_schedules_a_session_in_stockholm_time(client, db, login):
    topic = factories.make_topic()
    host = factories.make_user()
    mod = login(factories.make_moderator())
    response = client.post("/live/new", data=_form(topic, hosts=host.email))
    assert response.status_code == 302
    session = db.session.scalars(select(LiveSession)).one()
    assert session.starts_at.isoformat() == "2030-05-01T16:00:00+00:00"  # CEST is UTC+2
    assert session.attribution.value == "sector_only" and session.chatham_house
    assert [u.id for u in session.people_with("host")] == [host.id]
    assert [u.id for u in session.people_with("moderator")] == [mod.id]
    assert "<strong>Agenda</strong>" in session.description_html


def test_session_ending_before_it_starts_is_refused(client, db, login):
    topic = factories.make_topic()
    login(factories.make_moderator())
    response = client.post("/live/new", data=_form(topic, ends_at="2030-05-01T17:00"))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 0


def test_members_cannot_schedule_sessions(client, db, login):
    topic = factories.make_topic()
    login(factories.make_user())
    assert client.post("/live/new", data=_form(topic)).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 0


def test_invite_only_session_is_hidden_from_strangers(client, db, login):
    guest = factories.make_user()
    session = make_live_session(visibility=Visibility.INVITE_ONLY, invitees=[guest],
                                title="Closed circle")
    login(factories.make_user())
    assert client.get(f"/live/{session.id}").status_code == 404
    assert "Closed circle" not in client.get("/live/").get_data(as_text=True)


def test_rsvp_is_stored_and_can_be_withdrawn(client, db, login):
    session = make_live_session(status=SessionStatus.SCHEDULED,
                                starts_at=utcnow() + timedelta(days=1))
    member = login(factories.make_user())
    client.post(f"/live/{session.id}/rsvp", data={"going": "1"})
    assert db.session.get(Rsvp, (session.id, member.id)) is not None
    client.post(f"/live/{session.id}/rsvp/cancel")
    assert db.session.get(Rsvp, (session.id, member.id)) is None


def test_calendar_file_describes_the_session(client, db):
    session = make_live_session(status=SessionStatus.SCHEDULED, title="Mobility, parking; bikes")
    response = client.get(f"/live/{session.id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "SUMMARY:Mobility\\, parking\\; bikes" in body
    assert f"DTSTART:{session.starts_at.strftime('%Y%m%dT%H%M%SZ')}" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_cancel_needs_a_reason(client, db, login):
    mod = login(factories.make_moderator())
    session = make_live_session(moderator=mod, status=SessionStatus.SCHEDULED)
    client.post(f"/live/{session.id}/cancel", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).status == SessionStatus.SCHEDULED
    client.post(f"/live/{session.id}/cancel", data={"reason": "Speaker ill"})
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).status == SessionStatus.CANCELLED


def test_live_session_page_shows_the_room_to_members(client, db, login):
    session = make_live_session()
    login(factories.make_user())
    page = client.get(f"/live/{session.id}").get_data(as_text=True)
    assert 'id="live-room"' in page and "js/live.js" in page


def test_edit_form_shows_stockholm_times_and_saves_changes(client, db, login):
    topic = factories.make_topic()
    mod = login(factories.make_moderator())
    client.post("/live/new", data=_form(topic))
    session = db.session.scalars(select(LiveSession)).one()
    page = client.get(f"/live/{session.id}/edit").get_data(as_text=True)
    assert 'value="2030-05-01T18:00"' in page and mod.email in page
    response = client.post(f"/live/{session.id}/edit",
                           data=_form(topic, title="Housing, revised", attribution="anonymous"))
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(LiveSession, session.id)
    assert (stored.title, stored.attribution.value) == ("Housing, revised", "anonymous")


def test_attribution_cannot_change_while_live(client, db, login):
    mod = login(factories.make_moderator())
    session = make_live_session(moderator=mod)
    response = client.post(f"/live/{session.id}/edit", data=_form(
        session.topic, attribution="anonymous", starts_at="2030-05-01T18:00"))
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).attribution.value == "on_record"
