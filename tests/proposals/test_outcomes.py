"""Outcomes: recorded by the area's moderators once a proposal has closed, frozen tallies,
posted in the thread, shown on the focus area page, and in the public moderation log."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.exceptions import Conflict, Forbidden, InvalidInput
from forum.models.accounts import ModeratorScope, Sector
from forum.models.deliberation import Outcome, OutcomeKind
from forum.models.discussion import Post, Revision
from forum.models.live import Participant, SessionStatus, Visibility
from forum.models.moderation import ModerationAction, Notification
from forum.services.deliberation import outcomes, positions, proposals
from forum.services.live import moderation as live_moderation
from forum.services.live import room as live_room
from tests import factories
from tests.proposals.conftest import close_now, make_live_session, make_proposal, proposal_data

DATA = outcomes.OutcomeData("agreed", "The council adopts it.", "Karin drafts the budget.")


def _closed_with_positions(db):
    made = make_proposal()
    voters = [factories.make_user(sector=s) for s in (Sector.POLITICS, Sector.BUSINESS)]
    positions.take(voters[0], made.id, "agree", "Yes")
    positions.take(voters[1], made.id, "block", "Too costly")
    close_now(made)
    return made, voters


def test_moderator_records_the_outcome_which_is_posted_in_the_thread(db, client, login):
    made, voters = _closed_with_positions(db)
    mod = login(factories.make_moderator())
    response = client.post(f"/proposals/{made.id}/outcome", data={
        "kind": "agreed", "decision": "The council adopts it.", "next_steps": "Budget."})
    assert response.status_code == 302
    outcome = db.session.scalars(select(Outcome)).one()
    post = db.session.get(Post, outcome.post_id)
    assert (post.thread_id, post.author_id) == (made.thread_id, mod.id)
    assert "The council adopts it." in post.body_source and "Too costly" not in post.body_source
    assert "| Politics | 1 (0) | 0 (0) | 0 (0) | 0 (0) | 1 (0) |" in post.body_source
    assert f"/proposals/{made.id}" in post.body_source
    thread_page = client.get(f"/threads/{made.thread_id}?page=1").get_data(as_text=True)
    assert "Outcome of the proposal" in thread_page and "Outcome: Agreed" in thread_page
    noticed = {n.user_id for n in db.session.scalars(select(Notification))}
    assert noticed == {voters[0].id, voters[1].id, made.author_id}


def test_tallies_are_frozen_into_the_outcome(db):
    made, _voters = _closed_with_positions(db)
    outcome = outcomes.save(factories.make_moderator(), made.id, DATA)
    assert outcome.final_tally["status"] == "closed"
    assert outcome.final_tally["counts"]["all"]["total"]["block"] == 1
    assert set(outcome.final_tally["summary"]) == {"sv", "en"}


def test_outcome_appears_on_the_focus_area_page(db, client):
    made, _voters = _closed_with_positions(db)
    outcomes.save(factories.make_moderator(), made.id, DATA)
    page = client.get(f"/areas/{made.thread.topic.focus_area.slug}").get_data(as_text=True)
    assert "Recent outcomes" in page and made.title in page


def test_outcome_needs_a_closed_proposal(db):
    made = make_proposal()
    with pytest.raises(Conflict):
        outcomes.save(factories.make_moderator(), made.id, DATA)
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0


def test_only_the_areas_moderators_record_outcomes(db, client, login):
    made, _voters = _closed_with_positions(db)
    other = factories.make_moderator()
    db.session.add(ModeratorScope(user_id=other.id,
                                  focus_area_id=factories.focus_area("quality-of-life").id))
    db.session.commit()
    for user in (made.author, other):
        with pytest.raises(Forbidden):
            outcomes.save(user, made.id, DATA)
    login(factories.make_user(verified=True))
    assert client.get(f"/proposals/{made.id}/outcome").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0


@pytest.mark.parametrize("data", [
    outcomes.OutcomeData("perhaps", "Text"), outcomes.OutcomeData("agreed", "  "),
    outcomes.OutcomeData("agreed", "x" * 10_001), outcomes.OutcomeData("agreed", "ok", "x" * 10_001),
])
def test_bad_outcomes_are_refused_and_nothing_is_posted(db, data):
    made, _voters = _closed_with_positions(db)
    posts = db.session.scalar(select(func.count()).select_from(Post))
    with pytest.raises(InvalidInput):
        outcomes.save(factories.make_moderator(), made.id, data)
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0
    assert db.session.scalar(select(func.count()).select_from(Post)) == posts


def test_editing_keeps_the_earlier_text_and_is_logged(db):
    made, _voters = _closed_with_positions(db)
    mod = factories.make_moderator()
    outcome = outcomes.save(mod, made.id, DATA)
    outcomes.save(mod, made.id, outcomes.OutcomeData("amended", "Adopted with a cap."))
    db.session.refresh(outcome)
    assert outcome.kind == OutcomeKind.AMENDED and outcome.edited_by_id == mod.id
    post = db.session.get(Post, outcome.post_id)
    assert "Adopted with a cap." in post.body_source and post.edit_count == 1
    (revision,) = db.session.scalars(select(Revision).where(Revision.post_id == post.id))
    assert "The council adopts it." in revision.body_source
    actions = db.session.scalars(select(ModerationAction.action).order_by(
        ModerationAction.id)).all()
    assert actions == ["record_outcome", "edit_outcome"]


def test_recording_and_editing_show_in_the_public_log(db, client):
    made, _voters = _closed_with_positions(db)
    outcomes.save(factories.make_moderator(), made.id, DATA)
    page = client.get("/moderation/log").get_data(as_text=True)
    assert "Recorded the outcome of a proposal" in page


def _ended_session_proposal(db, **session):
    mod, member = factories.make_moderator(verified=True), factories.make_user()
    live = make_live_session(moderator=mod, invitees=[member], **session)
    made, _wires = proposals.open_in_session(mod, live.id, proposal_data())
    db.session.add(Participant(session_id=live.id, user_id=member.id, sector=member.sector))
    db.session.commit()
    positions.take(member, made.id, "agree", "Fine")
    return mod, live, made


def test_session_proposal_outcome_waits_for_the_archive_thread(db):
    mod, live, made = _ended_session_proposal(db)
    proposals.close(mod, made.id)
    with pytest.raises(Conflict):
        outcomes.save(mod, made.id, DATA)
    live_room.join(mod, live.id, "sid-mod")
    live_moderation.moderate(mod, live.id, "end", {}, "sid-mod")
    db.session.refresh(live)
    assert live.status == SessionStatus.ENDED
    outcome = outcomes.save(mod, made.id, DATA)
    assert db.session.get(Post, outcome.post_id).thread_id == live.archive_thread_id


def test_archive_thread_lists_the_sessions_proposals(db, client):
    mod, live, made = _ended_session_proposal(db)
    live_room.join(mod, live.id, "sid-mod")
    live_moderation.moderate(mod, live.id, "end", {}, "sid-mod")
    db.session.refresh(live)
    page = client.get(f"/threads/{live.archive_thread_id}?page=1").get_data(as_text=True)
    assert made.title in page and f"/proposals/{made.id}" in page


def test_invite_only_sessions_outcome_post_carries_no_figures(db, client):
    mod, live, made = _ended_session_proposal(db, visibility=Visibility.INVITE_ONLY)
    proposals.close(mod, made.id)
    live_room.join(mod, live.id, "sid-mod")
    live_moderation.moderate(mod, live.id, "end", {}, "sid-mod")
    outcome = outcomes.save(mod, made.id, DATA)
    post = db.session.get(Post, outcome.post_id)
    assert "Final positions" not in post.body_source and "| " not in post.body_source
    db.session.refresh(live)
    page = client.get(f"/threads/{live.archive_thread_id}?page=1").get_data(as_text=True)
    assert made.title not in page.split("Outcome of the proposal")[0]
