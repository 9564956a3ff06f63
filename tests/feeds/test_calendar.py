"""iCalendar feeds: the public calendar of upcoming sessions, the one-session file, and the
member's private calendar behind a secret address. Parsed back with `icalendar`."""
from __future__ import annotations

import re
from datetime import UTC, timedelta

import icalendar
import pytest

from forum.models.base import utcnow
from forum.models.feeds import FeedToken
from forum.models.live import Invitation, SessionStatus, Visibility
from forum.services import privacy
from forum.services.feeds import tokens
from forum.services.live import rsvps
from tests import factories
from tests.live.conftest import make_live_session


def _upcoming(title, days=1, **overrides):
    start = utcnow() + timedelta(days=days)
    return make_live_session(title=title, status=overrides.pop("status", SessionStatus.SCHEDULED),
                             starts_at=start, ends_at=start + timedelta(hours=1), **overrides)


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.get_data())
    assert cal.name == "VCALENDAR"
    assert cal.get("prodid") and str(cal.get("version")) == "2.0"
    for event in cal.walk("VEVENT"):
        for name in ("uid", "dtstamp", "dtstart", "dtend", "summary"):
            assert event.get(name) is not None, name
        assert event.decoded("dtstart").tzinfo is not None
        assert event.decoded("dtstart").utcoffset() == timedelta(0)
    return cal


def _titles(cal) -> list[str]:
    return [str(e.get("summary")) for e in cal.walk("VEVENT")]


def _secret(response) -> str:
    found = re.search(r"/feeds/my-sessions/(rdc_[A-Za-z0-9_-]+)\.ics", response.get_data(as_text=True))
    assert found, "the new address is shown"
    return found.group(1)


def test_public_calendar_lists_upcoming_public_sessions_only(client, db):
    _upcoming("Open budget hearing", days=2)
    _upcoming("Tomorrow's roundtable", days=1)
    make_live_session(title="Live right now")
    _upcoming("Called off", status=SessionStatus.CANCELLED, cancelled_reason="Ill")
    make_live_session(title="Long over", status=SessionStatus.ENDED,
                      starts_at=utcnow() - timedelta(days=3),
                      ends_at=utcnow() - timedelta(days=3) + timedelta(hours=1))
    _upcoming("Members' evening", visibility=Visibility.MEMBERS)
    _upcoming("Closed circle", visibility=Visibility.INVITE_ONLY)
    cal = _calendar(client.get("/feeds/live.ics"))
    assert _titles(cal) == ["Live right now", "Tomorrow's roundtable", "Called off",
                            "Open budget hearing"]
    statuses = {str(e.get("summary")): str(e.get("status")) for e in cal.walk("VEVENT")}
    assert statuses["Called off"] == "CANCELLED" and statuses["Live right now"] == "CONFIRMED"


def test_public_calendar_is_the_same_whoever_asks(client, db, login):
    guest = factories.make_user()
    _upcoming("Closed circle", visibility=Visibility.INVITE_ONLY, invitees=[guest])
    login(guest)
    assert _titles(_calendar(client.get("/feeds/live.ics"))) == []


def test_event_ids_are_stable_and_shared_with_the_session_file(client, db):
    session = _upcoming("Budget hearing")
    feed = _calendar(client.get("/feeds/live.ics"))
    single = _calendar(client.get(f"/live/{session.id}/calendar.ics"))
    uid = str(feed.walk("VEVENT")[0].get("uid"))
    assert uid == f"live-{session.id}@127.0.0.1" == str(single.walk("VEVENT")[0].get("uid"))
    assert str(_calendar(client.get("/feeds/live.ics")).walk("VEVENT")[0].get("uid")) == uid
    event = feed.walk("VEVENT")[0]
    assert event.decoded("dtstart") == session.starts_at.astimezone(UTC).replace(microsecond=0)
    assert str(event.get("url")).endswith(f"/live/{session.id}")


def test_public_calendar_has_caching_headers(client, db):
    _upcoming("Budget hearing")
    first = client.get("/feeds/live.ics")
    assert first.headers["ETag"] and "max-age=" in first.headers["Cache-Control"]
    again = client.get("/feeds/live.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_live_page_links_the_calendar(client, db):
    page = client.get("/live/").get_data(as_text=True)
    assert '<link rel="alternate" type="text/calendar" href="/feeds/live.ics"' in page


def test_private_calendar_shows_my_rsvps_including_invite_only(client, db, login):
    me = login(factories.make_user())
    mine = _upcoming("My roundtable")
    closed = _upcoming("Closed circle", visibility=Visibility.INVITE_ONLY, invitees=[me])
    _upcoming("Not for me")
    rsvps.rsvp(me, mine.id)
    rsvps.rsvp(me, closed.id)
    secret = _secret(client.post("/account/calendar/renew"))
    client.post("/logout")
    response = client.get(f"/feeds/my-sessions/{secret}.ics")  # no cookie: the secret alone
    assert sorted(_titles(_calendar(response))) == ["Closed circle", "My roundtable"]
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_private_calendar_drops_a_session_when_the_invitation_goes(client, db, login):
    me = login(factories.make_user())
    closed = _upcoming("Closed circle", visibility=Visibility.INVITE_ONLY, invitees=[me])
    rsvps.rsvp(me, closed.id)
    secret = tokens.renew(me)
    db.session.delete(db.session.get(Invitation, (closed.id, me.id)))
    db.session.commit()
    assert _titles(_calendar(client.get(f"/feeds/my-sessions/{secret}.ics"))) == []


def test_another_members_address_never_shows_my_sessions(client, db):
    me, other = factories.make_user(), factories.make_user()
    rsvps.rsvp(me, _upcoming("Mine only").id)
    rsvps.rsvp(other, _upcoming("Theirs").id)
    mine, theirs = tokens.renew(me), tokens.renew(other)
    assert _titles(_calendar(client.get(f"/feeds/my-sessions/{theirs}.ics"))) == ["Theirs"]
    assert _titles(_calendar(client.get(f"/feeds/my-sessions/{mine}.ics"))) == ["Mine only"]


def test_revoked_address_gives_404(client, db, login):
    me = login(factories.make_user())
    secret = _secret(client.post("/account/calendar/renew"))
    assert client.get(f"/feeds/my-sessions/{secret}.ics").status_code == 200
    client.post("/account/calendar/revoke")
    assert db.session.get(FeedToken, me.id) is None
    assert client.get(f"/feeds/my-sessions/{secret}.ics").status_code == 404


def test_renewed_address_replaces_the_old_one(client, db, login):
    login(factories.make_user())
    old = _secret(client.post("/account/calendar/renew"))
    new = _secret(client.post("/account/calendar/renew"))
    assert old != new
    assert client.get(f"/feeds/my-sessions/{old}.ics").status_code == 404
    assert client.get(f"/feeds/my-sessions/{new}.ics").status_code == 200


@pytest.mark.parametrize("secret", ["rdc_wrong", "nothing", "rdc_" + "x" * 200, "rdc_%00"])
def test_made_up_addresses_give_404(client, db, secret):
    tokens.renew(factories.make_user())
    assert client.get(f"/feeds/my-sessions/{secret}.ics").status_code == 404


def test_only_the_hash_of_the_secret_is_stored(db):
    me = factories.make_user()
    secret = tokens.renew(me)
    row = db.session.get(FeedToken, me.id)
    assert secret not in row.token_hash and len(row.token_hash) == 64


def test_erasure_turns_the_address_off(client, db):
    me = factories.make_user()
    secret = tokens.renew(me)
    privacy.erase_account(me, factories.PASSWORD)
    assert client.get(f"/feeds/my-sessions/{secret}.ics").status_code == 404
    assert db.session.get(FeedToken, me.id) is None


def test_account_page_shows_sessions_and_never_the_old_secret(client, db, login):
    me = login(factories.make_user())
    rsvps.rsvp(me, _upcoming("My roundtable").id)
    secret = _secret(client.post("/account/calendar/renew"))
    page = client.get("/account/calendar").get_data(as_text=True)
    assert "My roundtable" in page and secret not in page
    assert "made" in page


def test_last_use_is_noted(client, db):
    me = factories.make_user()
    secret = tokens.renew(me)
    client.get(f"/feeds/my-sessions/{secret}.ics")
    db.session.expire_all()
    assert db.session.get(FeedToken, me.id).last_used_at is not None


def test_renew_and_revoke_need_the_csrf_token(app, client, db, login):
    me = login(factories.make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    client.post("/account/calendar/renew")
    assert db.session.get(FeedToken, me.id) is None
    app.config["WTF_CSRF_ENABLED"] = False
    tokens.renew(me)
    app.config["WTF_CSRF_ENABLED"] = True
    client.post("/account/calendar/revoke")
    assert db.session.get(FeedToken, me.id) is not None


def test_export_says_an_address_exists_without_its_secret(client, db, login):
    me = login(factories.make_user())
    secret = tokens.renew(me)
    response = client.get("/account/data/export.json")
    assert response.get_json()["calendar_address"]["made_at"]
    assert secret not in response.get_data(as_text=True)
