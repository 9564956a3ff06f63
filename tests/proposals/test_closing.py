"""A proposal whose closing time passes is closed by the periodic job: the close is recorded,
`proposal.closed` is sent with a moderator close's data, and those who took part hear of it,
exactly once however the job, its reruns and a moderator race."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.app import create_app
from forum.exceptions import Conflict
from forum.extensions import db as _db
from forum.models.accounts import Role
from forum.models.base import utcnow
from forum.models.deliberation import Proposal
from forum.models.notifications import Notification
from forum.models.webhooks import WebhookEvent
from forum.services.deliberation import closing, positions, proposals
from forum.services.deliberation import jobs as deliberation_jobs
from forum.services.webhooks import endpoints
from tests import factories
from tests.proposals.conftest import close_now, make_proposal


@pytest.fixture
def listening(db):
    admin = factories.make_user(role=Role.ADMIN, verified=True)
    return endpoints.create(admin, endpoints.EndpointData(url="http://127.0.0.1:9/h",
                                                          kinds=["proposal.closed"]))


def _events() -> list[dict]:
    return [e.payload for e in _db.session.scalars(
        select(WebhookEvent).where(WebhookEvent.kind == "proposal.closed")
        .order_by(WebhookEvent.id))]


def _closed_notices() -> list[Notification]:
    return list(_db.session.scalars(select(Notification).where(
        Notification.kind == "proposal_closed").order_by(Notification.user_id)))


def test_the_job_closes_a_proposal_whose_time_passed(db, listening):
    made = make_proposal()
    voter = factories.make_user(verified=True)
    positions.take(voter, made.id, "agree", "Bra")
    close_now(made)
    deliberation_jobs.close_due_proposals()
    row = _db.session.get(Proposal, made.id)
    _db.session.refresh(row)
    assert row.closed_at is not None and row.closed_by_id is None
    assert row.closed_at == row.closes_at
    [event] = _events()
    assert event["proposal"]["id"] == made.id and event["proposal"]["closed_at"]
    assert event["proposal"]["tally"]["all"]["total"]["count"] == 1
    assert sorted(n.user_id for n in _closed_notices()) == sorted([made.author_id, voter.id])


def test_an_open_proposal_is_left_alone(db, listening):
    made = make_proposal()
    assert closing.close_due() == 0
    assert _db.session.get(Proposal, made.id).closed_at is None
    assert _events() == [] and _closed_notices() == []


def test_running_the_job_again_sends_nothing_more(db, listening):
    close_now(make_proposal())
    assert closing.close_due() == 1
    assert closing.close_due() == 0
    assert len(_events()) == 1 and len(_closed_notices()) == 1


def test_a_run_that_loses_the_race_sends_nothing(db, listening, app_config):
    """Two workers find the same due proposal; the other closes it first."""
    made = make_proposal()
    close_now(made)
    found = closing.due()
    assert found == [made.id]
    other = create_app(app_config)
    with other.app_context():
        assert closing.close_due() == 1
        _db.session.remove()
    assert closing.close_at_time(made.id) is False
    assert len(_events()) == 1 and len(_closed_notices()) == 1


def test_a_moderator_cannot_close_it_again_after_the_job(db, listening):
    made = make_proposal()
    close_now(made)
    closing.close_due()
    with pytest.raises(Conflict):
        proposals.close(factories.make_moderator(), made.id)
    assert len(_events()) == 1


def test_the_job_skips_what_a_moderator_closed(db, listening):
    made = make_proposal()
    mod = factories.make_moderator()
    proposals.close(mod, made.id, "Klart")
    close_now(made)
    assert closing.close_due() == 0
    assert len(_events()) == 1
    assert [n.user_id for n in _closed_notices()] == [made.author_id]


def test_both_closes_send_the_same_kind_of_data(db, listening):
    early, late = make_proposal(), make_proposal()
    proposals.close(factories.make_moderator(), early.id)
    close_now(late)
    closing.close_due()
    by_moderator, by_time = _events()
    assert by_moderator["proposal"].keys() == by_time["proposal"].keys()
    assert by_moderator["proposal"]["tally"].keys() == by_time["proposal"]["tally"].keys()


def test_the_notice_reads_in_the_members_language(db, app):
    made = make_proposal(closes_at=utcnow() + timedelta(seconds=1))
    close_now(made)
    closing.close_due()
    [note] = _closed_notices()
    from forum.services import notifications

    assert "Open the harbour baths all year" in notifications.worded(note, "en").text
    assert "stängts" in notifications.worded(note, "sv").text


def test_the_job_runs_every_minute(db):
    from datetime import datetime

    from forum import jobs

    due = {type(t).__name__ for t in jobs.huey.read_periodic(datetime(2026, 12, 1, 9, 13))}
    assert "close_due_proposals" in due
