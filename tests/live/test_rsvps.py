"""RSVPs: who may say they will come, the count on the page, the lists made from them,
and the member's own data (export, erasure)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.exceptions import Conflict, Forbidden, NotFound
from forum.models.accounts import Suspension
from forum.models.base import utcnow
from forum.models.live import Invitation, Rsvp, SessionStatus, Visibility
from forum.services import privacy
from forum.services.live import rsvps
from tests import factories
from tests.live.conftest import make_live_session


def _upcoming(**overrides):
    start = utcnow() + timedelta(days=1)
    fields = {"status": SessionStatus.SCHEDULED, "starts_at": start,
              "ends_at": start + timedelta(hours=1)}
    fields.update(overrides)
    return make_live_session(**fields)


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Rsvp))


def test_rsvp_twice_keeps_one_row(db):
    session, member = _upcoming(), factories.make_user()
    first = rsvps.rsvp(member, session.id)
    again = rsvps.rsvp(member, session.id)
    assert (first.session_id, first.user_id) == (again.session_id, again.user_id)
    assert rsvps.count(session.id) == 1 and rsvps.has(member, session.id)


def test_cancel_removes_the_rsvp_and_is_harmless_without_one(db):
    session, member = _upcoming(), factories.make_user()
    rsvps.rsvp(member, session.id)
    assert rsvps.cancel(member, session.id) is True
    assert rsvps.cancel(member, session.id) is False
    assert _count(db) == 0


def test_invite_only_session_takes_rsvps_from_invitees_only(db):
    guest, stranger = factories.make_user(), factories.make_user()
    session = _upcoming(visibility=Visibility.INVITE_ONLY, invitees=[guest])
    rsvps.rsvp(guest, session.id)
    with pytest.raises(NotFound):  # not even told the session exists
        rsvps.rsvp(stranger, session.id)
    with pytest.raises(NotFound):
        rsvps.cancel(stranger, session.id)
    assert [u.id for u in rsvps.members_for(session)] == [guest.id]


def test_members_only_session_refuses_visitors_and_suspended_members(db):
    session = _upcoming(visibility=Visibility.MEMBERS)
    member = factories.make_user()
    db.session.add(Suspension(user_id=member.id, reason="Attacks",
                              created_by_id=factories.make_moderator().id))
    db.session.commit()
    with pytest.raises(Forbidden):
        rsvps.rsvp(member, session.id)
    assert _count(db) == 0


def test_unconfirmed_member_is_asked_to_confirm_first(db):
    session, member = _upcoming(), factories.make_user(confirmed=False)
    with pytest.raises(Forbidden) as err:
        rsvps.rsvp(member, session.id)
    assert err.value.code == "email_unconfirmed"


@pytest.mark.parametrize("status", [SessionStatus.ENDED, SessionStatus.CANCELLED])
def test_no_rsvp_to_a_session_that_is_over(db, status):
    session, member = _upcoming(status=status), factories.make_user()
    with pytest.raises(Conflict):
        rsvps.rsvp(member, session.id)
    assert _count(db) == 0


def test_rsvp_during_the_session_is_allowed(db):
    session, member = make_live_session(), factories.make_user()
    rsvps.rsvp(member, session.id)
    assert rsvps.has(member, session.id)


def test_sessions_for_lists_upcoming_soonest_first_and_drops_lost_invitations(db):
    member, now = factories.make_user(), utcnow()
    later = _upcoming(starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=1),
                      title="Later")
    closed = _upcoming(starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=1),
                       visibility=Visibility.INVITE_ONLY, invitees=[member], title="Closed")
    sooner = _upcoming(title="Sooner")
    done = make_live_session(status=SessionStatus.ENDED, title="Done")
    for session in (later, closed, sooner):
        rsvps.rsvp(member, session.id)
    db.session.add(Rsvp(session_id=done.id, user_id=member.id))
    db.session.commit()
    assert [s.title for s in rsvps.sessions_for(member)] == ["Sooner", "Closed", "Later"]
    assert [s.title for s in rsvps.sessions_for(member, upcoming=False)] == \
        ["Done", "Sooner", "Closed", "Later"]
    db.session.delete(db.session.get(Invitation, (closed.id, member.id)))
    db.session.commit()
    assert [s.title for s in rsvps.sessions_for(member)] == ["Sooner", "Later"]
    assert rsvps.sessions_for(factories.make_user()) == []


def test_member_who_lost_the_invitation_may_still_withdraw(db):
    guest = factories.make_user()
    session = _upcoming(visibility=Visibility.INVITE_ONLY, invitees=[guest])
    rsvps.rsvp(guest, session.id)
    db.session.delete(db.session.get(Invitation, (session.id, guest.id)))
    db.session.commit()
    assert rsvps.members_for(session) == []
    assert rsvps.cancel(guest, session.id) is True


def test_members_for_skips_erased_accounts(db):
    session = _upcoming()
    stays, leaves = factories.make_user(), factories.make_user()
    rsvps.rsvp(stays, session.id)
    rsvps.rsvp(leaves, session.id)
    privacy.erase_account(leaves, factories.PASSWORD)
    assert [u.id for u in rsvps.members_for(session)] == [stays.id]
    assert not rsvps.has(leaves, session.id)  # erasure drops the row itself


def test_export_lists_the_member_rsvps(client, db, login):
    session = _upcoming(title="Budget hearing")
    member = login(factories.make_user())
    rsvps.rsvp(member, session.id)
    data = client.get("/account/data/export.json").get_json()
    assert [r["session"] for r in data["live_rsvps"]] == ["Budget hearing"]
    assert data["live_rsvps"][0]["session_id"] == session.id


def test_page_shows_count_and_buttons_without_script(client, db, login):
    session = _upcoming()
    rsvps.rsvp(factories.make_user(), session.id)
    page = client.get(f"/live/{session.id}").get_data(as_text=True)
    assert "1 member is coming" in page and "Sign in to say you will come" in page
    member = login(factories.make_user())
    page = client.get(f"/live/{session.id}").get_data(as_text=True)
    assert f'action="/live/{session.id}/rsvp"' in page
    response = client.post(f"/live/{session.id}/rsvp")
    assert response.status_code == 302 and response.location.endswith("#rsvp")
    page = client.get(f"/live/{session.id}").get_data(as_text=True)
    assert "2 members are coming" in page and f'action="/live/{session.id}/rsvp/cancel"' in page
    client.post(f"/live/{session.id}/rsvp/cancel")
    assert not rsvps.has(member, session.id)


def test_rsvp_to_an_ended_session_over_http_is_a_conflict(client, db, login):
    session = _upcoming(status=SessionStatus.ENDED)
    login(factories.make_user())
    assert client.post(f"/live/{session.id}/rsvp").status_code == 409
    assert _count(db) == 0


def test_rsvp_with_forged_csrf_is_refused(app, client, db, login):
    session = _upcoming()
    login(factories.make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    client.post(f"/live/{session.id}/rsvp")
    assert _count(db) == 0
