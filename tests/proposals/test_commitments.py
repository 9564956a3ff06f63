"""Commitments: recorded from outcomes and sessions, reported on by their owners, listed in
the public ledger, and the review-date notices."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from forum.exceptions import Conflict, Forbidden, InvalidInput
from forum.models.accounts import Sector
from forum.models.base import utcnow
from forum.models.deliberation import Commitment, CommitmentStatus, CommitmentUpdate
from forum.models.live import Visibility
from forum.models.moderation import ModerationAction, Notification
from forum.services.deliberation import commitments, outcomes
from tests import factories
from tests.proposals.conftest import close_now, make_live_session, make_proposal


def _with_outcome(db):
    made = make_proposal()
    close_now(made)
    mod = factories.make_moderator()
    outcomes.save(mod, made.id, outcomes.OutcomeData("agreed", "Adopted."))
    return made, mod


def _data(owner, **overrides) -> commitments.CommitmentData:
    fields = {"owner_email": owner.email, "text": "Publish the harbour plan",
              "due_on": commitments.today() + timedelta(days=60),
              "review_on": commitments.today() + timedelta(days=30)}
    fields.update(overrides)
    return commitments.CommitmentData(**fields)


def _count(db, model=Commitment) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_moderator_records_a_commitment_on_an_outcome(db, client, login):
    made, mod = _with_outcome(db)
    owner = factories.make_user(sector=Sector.BUSINESS, organisation="Öresund Logistik AB")
    login(mod)
    response = client.post(f"/proposals/{made.id}/commitments/new", data={
        "owner_email": owner.email, "text": "Open the depot to visitors",
        "due_on": str(commitments.today() + timedelta(days=10)),
        "review_on": str(commitments.today() + timedelta(days=5))})
    stored = db.session.scalars(select(Commitment)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/commitments/{stored.id}")
    assert (stored.owner_id, stored.sector, stored.organisation, stored.status) == (
        owner.id, Sector.BUSINESS, "Öresund Logistik AB", CommitmentStatus.OPEN)
    assert stored.outcome_id == made.outcome.id
    entry = db.session.scalars(select(ModerationAction).where(
        ModerationAction.action == "record_commitment")).one()
    assert entry.target_id == stored.id and entry.subject_user_id == owner.id
    assert db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "commitment")).all() == [owner.id]
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "Open the depot to visitors" in page


def test_no_commitment_before_an_outcome(db):
    made = make_proposal()
    with pytest.raises(Conflict):
        commitments.record_for_outcome(factories.make_moderator(), made.id,
                                       _data(factories.make_user()))


def test_members_cannot_record_commitments(db):
    made, _mod = _with_outcome(db)
    with pytest.raises(Forbidden):
        commitments.record_for_outcome(made.author, made.id, _data(made.author))
    assert _count(db) == 0


@pytest.mark.parametrize("change", [
    {"owner_email": "nobody@example.org"}, {"text": ""}, {"text": "x" * 501},
    {"due_on": date(2000, 1, 1)}, {"review_on": None}, {"organisation": "x" * 121},
])
def test_bad_commitments_are_refused_and_nothing_is_stored(db, change):
    made, mod = _with_outcome(db)
    with pytest.raises(InvalidInput):
        commitments.record_for_outcome(mod, made.id, _data(factories.make_user(), **change))
    assert _count(db) == 0 and _count(db, CommitmentUpdate) == 0


def test_session_staff_record_commitments_in_a_session(db, client, login):
    mod = factories.make_moderator()
    live = make_live_session(moderator=mod)
    owner = factories.make_user()
    made = commitments.record_for_session(mod, live.id, _data(owner))
    assert made.live_session_id == live.id and made.focus_area_id == live.focus_area_id
    with pytest.raises(Forbidden):
        commitments.record_for_session(owner, live.id, _data(owner))
    page = client.get(f"/live/{live.id}").get_data(as_text=True)
    assert "Publish the harbour plan" in page


def test_owner_reports_with_a_note_and_the_history_is_kept(db, client, login):
    made, mod = _with_outcome(db)
    owner = factories.make_user()
    item = commitments.record_for_outcome(mod, made.id, _data(owner))
    login(owner)
    response = client.post(f"/commitments/{item.id}/status",
                           data={"status": "in_progress", "note": "Tender sent out"})
    assert response.status_code == 302
    client.post(f"/commitments/{item.id}/status", data={"status": "done", "note": "Published"})
    db.session.refresh(item)
    assert (item.status, item.status_note) == (CommitmentStatus.DONE, "Published")
    history = commitments.history(item)
    assert [(h.status, h.note) for h in history] == [
        (CommitmentStatus.DONE, "Published"), (CommitmentStatus.IN_PROGRESS, "Tender sent out"),
        (CommitmentStatus.OPEN, "")]
    page = client.get(f"/commitments/{item.id}").get_data(as_text=True)
    assert "Tender sent out" in page and "Published" in page


def test_only_the_owner_reports(db, client, login):
    made, mod = _with_outcome(db)
    item = commitments.record_for_outcome(mod, made.id, _data(factories.make_user()))
    login(factories.make_user())
    response = client.post(f"/commitments/{item.id}/status",
                           data={"status": "done", "note": "Not mine"})
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        commitments.update_status(mod, item.id, "done", "Moderators neither")
    assert _count(db, CommitmentUpdate) == 1


@pytest.mark.parametrize("data", [{"status": "finished", "note": "x"},
                                  {"status": "done", "note": ""},
                                  {"status": "done", "note": "x" * 501}])
def test_bad_reports_get_a_form_error_and_change_nothing(db, client, login, data):
    made, mod = _with_outcome(db)
    owner = factories.make_user()
    item = commitments.record_for_outcome(mod, made.id, _data(owner))
    login(owner)
    response = client.post(f"/commitments/{item.id}/status", data=data)
    assert response.status_code == 400
    db.session.refresh(item)
    assert item.status == CommitmentStatus.OPEN and _count(db, CommitmentUpdate) == 1


def _ledger_world(db):
    made, mod = _with_outcome(db)
    anna = factories.make_user(sector=Sector.POLITICS, display_name="Anna Lindqvist")
    maria = factories.make_user(sector=Sector.BUSINESS, display_name="Maria Berg")
    first = commitments.record_for_outcome(mod, made.id, _data(anna, text="Fund the baths"))
    late = commitments.record_for_outcome(mod, made.id, _data(maria, text="Sponsor the sauna"))
    late.due_on = commitments.today() - timedelta(days=3)  # as time goes by
    db.session.commit()
    return made, first, late, anna, maria


def test_ledger_is_public_and_marks_overdue_ones(db, client):
    made, first, late, anna, maria = _ledger_world(db)
    page = client.get("/commitments").get_data(as_text=True)
    assert "Fund the baths" in page and "Sponsor the sauna" in page
    assert page.index("Sponsor the sauna") < page.index("Fund the baths")  # earliest due first
    row = page[page.index("Sponsor the sauna"):page.index("Fund the baths")]
    assert "Overdue" in row
    assert f"/proposals/{made.id}#outcome" in page  # each links back to its outcome


@pytest.mark.parametrize("query, shown, hidden", [
    ("sector=business", "Sponsor the sauna", "Fund the baths"),
    ("status=overdue", "Sponsor the sauna", "Fund the baths"),
    ("status=done", None, "Fund the baths"),
])
def test_ledger_filters(db, client, query, shown, hidden):
    _ledger_world(db)
    page = client.get(f"/commitments?{query}").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    if shown:
        assert shown in body
    assert hidden not in body


def test_ledger_filters_by_owner_and_area(db, client):
    made, first, late, anna, maria = _ledger_world(db)
    body = client.get(f"/commitments?owner={anna.id}").get_data(as_text=True).split("<tbody>")[1]
    assert "Fund the baths" in body and "Sponsor the sauna" not in body
    other = factories.focus_area("quality-of-life")
    body = client.get(f"/commitments?area={other.id}").get_data(as_text=True).split("<tbody>")[1]
    assert "No commitments match." in body
    body = client.get(f"/commitments?area={made.focus_area_id}&status=nonsense").get_data(
        as_text=True).split("<tbody>")[1]
    assert "Fund the baths" in body and "Sponsor the sauna" in body


def test_invite_only_sessions_commitments_stay_inside(db, client, login):
    mod, invited = factories.make_moderator(), factories.make_user()
    live = make_live_session(moderator=mod, visibility=Visibility.INVITE_ONLY, invitees=[invited])
    item = commitments.record_for_session(mod, live.id, _data(invited, text="Secret plan"))
    assert "Secret plan" not in client.get("/commitments").get_data(as_text=True)
    assert client.get(f"/commitments/{item.id}").status_code == 403
    login(invited)
    assert "Secret plan" in client.get("/commitments").get_data(as_text=True)


# --- Review notices ---------------------------------------------------------------------------


def _reviewed(db, review_in_days: int, status=CommitmentStatus.OPEN):
    made, mod = _with_outcome(db)
    owner = factories.make_user()
    item = commitments.record_for_outcome(mod, made.id, _data(owner))
    item.review_on, item.status = commitments.today() + timedelta(days=review_in_days), status
    db.session.execute(Notification.__table__.delete())
    db.session.commit()
    return item, owner


def _notices(db, owner) -> list[str]:
    from forum.services import notifications  # noqa: PLC0415

    return [notifications.worded(n, "en").text for n in db.session.scalars(
        select(Notification).where(
            Notification.user_id == owner.id,
            Notification.kind.in_(["commitment_review_soon", "commitment_review_passed"]))
        .order_by(Notification.id))]


def test_owner_hears_once_when_the_review_date_nears(db):
    item, owner = _reviewed(db, 5)
    assert commitments.send_review_notices() == {"soon": 1, "passed": 0}
    assert commitments.send_review_notices() == {"soon": 0, "passed": 0}
    (message,) = _notices(db, owner)
    assert "due for review" in message and item.text in message


def test_owner_hears_once_more_when_it_has_passed(db):
    item, owner = _reviewed(db, 5)
    commitments.send_review_notices()
    later = utcnow() + timedelta(days=7)
    assert commitments.send_review_notices(later) == {"soon": 0, "passed": 1}
    assert commitments.send_review_notices(later) == {"soon": 0, "passed": 0}
    assert len(_notices(db, owner)) == 2 and "has passed" in _notices(db, owner)[1]


def test_a_date_already_passed_gets_only_the_passed_notice(db):
    _item, owner = _reviewed(db, -2)
    assert commitments.send_review_notices() == {"soon": 0, "passed": 1}
    assert commitments.send_review_notices(utcnow() + timedelta(days=1)) == {"soon": 0,
                                                                               "passed": 0}
    assert len(_notices(db, owner)) == 1


def test_far_dates_and_finished_commitments_get_no_notice(db):
    _far, far_owner = _reviewed(db, 30)
    _done, done_owner = _reviewed(db, -1, CommitmentStatus.DONE)
    assert commitments.send_review_notices() == {"soon": 0, "passed": 0}
    assert _notices(db, far_owner) == [] and _notices(db, done_owner) == []


def test_cli_command_sends_the_notices(db, runner):
    _item, owner = _reviewed(db, 1)
    result = runner.invoke(args=["forum", "commitments-due"])
    assert result.exit_code == 0 and "Review notices: 1 nearing, 0 passed." in result.output
    assert len(_notices(db, owner)) == 1
    assert "0 nearing" in runner.invoke(args=["forum", "commitments-due"]).output


def test_ledger_owner_filter_leaves_out_owners_of_hidden_commitments(db, client):
    mod = factories.make_moderator()
    invited = factories.make_user(display_name="Hidden Owner")
    live = make_live_session(moderator=mod, visibility=Visibility.INVITE_ONLY, invitees=[invited])
    commitments.record_for_session(mod, live.id, _data(invited))
    assert "Hidden Owner" not in client.get("/commitments").get_data(as_text=True)


def test_a_members_data_export_holds_positions_and_commitments(db):
    from forum.services import privacy
    from forum.services.deliberation import positions
    made, mod = _with_outcome(db)
    other = make_proposal()
    owner = factories.make_user()
    positions.take(owner, other.id, "agree", "")
    positions.take(owner, other.id, "block", "Second thoughts")
    commitments.record_for_outcome(mod, made.id, _data(owner))
    data = privacy.export_data(owner)
    assert [(p["stance"], p["reason"]) for p in data["positions"]] == [
        ("agree", ""), ("block", "Second thoughts")]
    assert data["positions"][0]["proposal"] == other.title
    assert [c["text"] for c in data["commitments"]] == ["Publish the harbour plan"]


def test_the_worker_sends_the_notices_every_hour(db):
    from datetime import datetime

    from forum import jobs
    from forum.services.deliberation.jobs import commitment_review_notices

    due = {type(t).__name__ for t in jobs.huey.read_periodic(datetime(2026, 12, 1, 9, 7))}
    assert "commitment_review_notices" in due
    _item, owner = _reviewed(db, 1)
    commitment_review_notices()  # runs the job's function inline, in this app
    assert len(_notices(db, owner)) == 1
