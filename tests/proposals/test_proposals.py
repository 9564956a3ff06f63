"""Opening proposals in threads: who may, what is checked, what the pages show."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from forum.exceptions import Forbidden, InvalidInput
from forum.models.base import utcnow
from forum.models.deliberation import Participation, Proposal
from forum.models.discussion import TopicStatus
from forum.models.moderation import ModerationAction
from forum.services.deliberation import proposals
from tests import factories
from tests.proposals.conftest import close_now, make_proposal, proposal_data

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


def _form(**overrides) -> dict:
    closes = (utcnow() + timedelta(days=5)).astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "Car-free Stortorget", "statement": "Stortorget becomes car-free.",
            "background": "", "closes_at": closes, "participation": "members"}
    data.update(overrides)
    return data


def test_verified_member_opens_a_proposal_in_a_thread(db, client, login):
    thread, anna = factories.make_thread(), login(factories.make_user(verified=True))
    response = client.post(f"/threads/{thread.id}/proposals/new", data=_form())
    stored = db.session.scalars(select(Proposal)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{stored.id}")
    assert (stored.thread_id, stored.author_id, stored.title) == (thread.id, anna.id,
                                                                 "Car-free Stortorget")
    assert stored.focus_area_id == thread.topic.focus_area_id and stored.is_open()


def test_moderator_of_the_area_opens_one_without_being_verified(db):
    thread, mod = factories.make_thread(), factories.make_moderator()
    made = proposals.open_in_thread(mod, thread.id, proposal_data())
    assert made.author_id == mod.id


def test_unverified_member_is_refused_with_a_reason(db, client, login):
    thread = factories.make_thread()
    login(factories.make_user())
    response = client.post(f"/threads/{thread.id}/proposals/new", data=_form())
    assert response.status_code == 403
    assert "verified members" in response.get_data(as_text=True)
    assert _count(db) == 0


@pytest.mark.parametrize("change", ["locked", "closed_topic", "suspended"])
def test_no_proposal_where_one_may_not_reply(db, change):
    thread, member = factories.make_thread(), factories.make_user(verified=True)
    if change == "locked":
        thread.locked = True
    elif change == "closed_topic":
        thread.topic.status = TopicStatus.CLOSED
    else:
        from forum.models.accounts import Suspension
        db.session.add(Suspension(user_id=member.id, reason="Spam",
                                  created_by_id=factories.make_moderator().id))
    db.session.commit()
    with pytest.raises(Forbidden):
        proposals.open_in_thread(member, thread.id, proposal_data())
    assert _count(db) == 0


@pytest.mark.parametrize("field, value", [
    ("title", ""), ("title", "x" * 201), ("statement", "   "), ("statement", "x" * 5001),
    ("background", "x" * 20_001), ("participation", "everyone"), ("participation", "session"),
])
def test_bad_fields_are_named_and_nothing_is_stored(db, client, login, field, value):
    thread = factories.make_thread()
    login(factories.make_user(verified=True))
    response = client.post(f"/threads/{thread.id}/proposals/new", data=_form(**{field: value}))
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True) or \
        "field__error" in response.get_data(as_text=True)
    assert _count(db) == 0


@pytest.mark.parametrize("closes", [timedelta(minutes=-5), timedelta(days=400)])
def test_closing_time_must_be_ahead_and_within_a_year(db, closes):
    thread, member = factories.make_thread(), factories.make_user(verified=True)
    with pytest.raises(InvalidInput) as refused:
        proposals.open_in_thread(member, thread.id, proposal_data(closes_at=utcnow() + closes))
    assert "closes_at" in refused.value.fields
    assert _count(db) == 0


def test_statement_is_rendered_and_sanitised(db, client):
    made = make_proposal(statement='**Bold** <script>alert(1)</script> [x](javascript:alert(2))')
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page


def test_thread_page_lists_its_proposals_and_offers_to_open_one(db, client, login):
    made = make_proposal()
    page = client.get(f"/threads/{made.thread_id}?page=1").get_data(as_text=True)
    assert made.title in page and f"/proposals/{made.id}" in page
    assert "No positions yet." in page
    login(factories.make_user(verified=True))
    page = client.get(f"/threads/{made.thread_id}?page=1").get_data(as_text=True)
    assert f"/threads/{made.thread_id}/proposals/new" in page


def test_focus_area_page_lists_open_proposals(db, client):
    made = make_proposal()
    page = client.get(f"/areas/{made.thread.topic.focus_area.slug}").get_data(as_text=True)
    assert made.title in page and "Open for positions" in page


def test_proposal_closes_at_its_time(db):
    made = make_proposal()
    close_now(made)
    assert not made.is_open() and made.ended_at() is not None


def test_moderator_closes_early_in_the_public_log(db, client, login):
    made = make_proposal()
    mod = login(factories.make_moderator())
    response = client.post(f"/proposals/{made.id}/close", data={"reason": "Decided in council"})
    assert response.status_code == 302
    db.session.refresh(made)
    assert made.closed_at is not None and made.closed_by_id == mod.id and not made.is_open()
    entry = db.session.scalars(select(ModerationAction)).one()
    assert (entry.action, entry.target_type, entry.target_id, entry.reason) == (
        "close_proposal", "proposal", made.id, "Decided in council")
    log = client.get("/moderation/log").get_data(as_text=True)
    assert "Closed a proposal early" in log and f"/proposals/{made.id}" in log


def test_members_and_other_areas_moderators_cannot_close(db, client, login):
    made = make_proposal()
    other_area = factories.focus_area("quality-of-life")
    outsider = factories.make_moderator()
    from forum.models.accounts import ModeratorScope
    db.session.add(ModeratorScope(user_id=outsider.id, focus_area_id=other_area.id))
    db.session.commit()
    for user in (factories.make_user(verified=True), outsider):
        with pytest.raises(Forbidden):
            proposals.close(user, made.id)
    db.session.refresh(made)
    assert made.closed_at is None
    assert db.session.scalar(select(func.count()).select_from(ModerationAction)) == 0


def test_closing_twice_is_a_conflict(db, client, login):
    made = make_proposal()
    login(factories.make_moderator())
    client.post(f"/proposals/{made.id}/close", data={})
    response = client.post(f"/proposals/{made.id}/close", data={})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(ModerationAction)) == 1


def test_verified_only_participation_is_kept(db):
    made = make_proposal(participation="verified")
    assert made.participation == Participation.VERIFIED


def test_proposal_of_hidden_thread_is_not_shown_to_members(db, client, login):
    made = make_proposal()
    made.thread.hidden_at = utcnow()
    db.session.commit()
    login(factories.make_user())
    assert client.get(f"/proposals/{made.id}").status_code == 403
    assert client.get("/proposals/999999").status_code == 404


def test_session_proposals_are_opened_only_while_it_is_live(db, client, login):
    from forum.models.live import SessionStatus
    from tests.proposals.conftest import make_live_session
    live = make_live_session(status=SessionStatus.SCHEDULED)
    login(factories.make_user(verified=True))
    response = client.get(f"/live/{live.id}/proposals/new")
    assert response.status_code == 403
    assert "while the session is live" in response.get_data(as_text=True)


def test_a_forged_position_without_the_csrf_token_is_refused(db, app, client, login):
    from forum.models.deliberation import Position
    made = make_proposal()
    login(factories.make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/proposals/{made.id}/position", data={"stance": "agree"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Position)) == 0
