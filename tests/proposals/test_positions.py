"""Taking and changing positions: one per member, reasons, history, and every refusal."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.exceptions import Conflict, Forbidden, InvalidInput
from forum.models.accounts import Sector, Suspension
from forum.models.deliberation import Position, PositionChange, Stance
from forum.models.live import Participant, SessionStatus, Visibility
from forum.services.deliberation import positions, proposals, results
from tests import factories
from tests.proposals.conftest import close_now, make_live_session, make_proposal, proposal_data


def _stored(db):
    return db.session.scalars(select(Position).order_by(Position.id)).all()


def _history_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(PositionChange))


def test_member_takes_a_position_through_the_page(db, client, login):
    made = make_proposal()
    omar = login(factories.make_user(sector=Sector.BUSINESS))
    response = client.post(f"/proposals/{made.id}/position",
                           data={"stance": "agree", "reason": "Good for trade"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/proposals/{made.id}#position")
    (position,) = _stored(db)
    assert (position.user_id, position.stance, position.reason, position.sector) == (
        omar.id, Stance.AGREE, "Good for trade", Sector.BUSINESS)
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "Good for trade" in page and omar.display_name in page


def test_a_changed_position_replaces_the_old_one_and_both_stay_in_the_history(db):
    made, anna = make_proposal(), factories.make_user()
    positions.take(anna, made.id, "agree", "")
    positions.take(anna, made.id, "disagree", "The cost is too high")
    (position,) = _stored(db)
    assert (position.stance, position.changes) == (Stance.DISAGREE, 2)
    total = results.counts(made.id)["all"]["total"]
    assert (total["agree"], total["disagree"], total["count"]) == (0, 1, 1)
    (steps,) = positions.history(made)
    assert [(s.stance, s.reason) for s in steps] == [
        (Stance.AGREE, ""), (Stance.DISAGREE, "The cost is too high")]


def test_history_is_shown_to_readers(db, client):
    made, anna = make_proposal(), factories.make_user()
    positions.take(anna, made.id, "agree", "")
    positions.take(anna, made.id, "block", "Unlawful")
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "1 member changed their position" in page and "Unlawful" in page


def test_the_same_position_again_adds_nothing(db):
    made, anna = make_proposal(), factories.make_user()
    positions.take(anna, made.id, "abstain", "Undecided")
    again = positions.take(anna, made.id, "abstain", "Undecided")
    assert not again.changed and _history_count(db) == 1
    assert db.session.get(type(made), made.id).version == 1


def test_the_database_allows_one_position_per_member(db):
    made, anna = make_proposal(), factories.make_user()
    positions.take(anna, made.id, "agree", "")
    db.session.add(Position(proposal_id=made.id, user_id=anna.id, stance=Stance.BLOCK,
                            sector=anna.sector))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(_stored(db)) == 1


@pytest.mark.parametrize("stance", ["disagree", "block"])
def test_disagree_and_block_need_a_reason(db, client, login, stance):
    made = make_proposal()
    login(factories.make_user())
    response = client.post(f"/proposals/{made.id}/position", data={"stance": stance,
                                                                   "reason": "  "})
    assert response.status_code == 400
    assert "Please give a reason when you disagree or block." in response.get_data(as_text=True)
    assert _stored(db) == [] and _history_count(db) == 0


@pytest.mark.parametrize("data, message", [
    ({"stance": "maybe", "reason": ""}, "Not a valid choice"),
    ({"reason": "No stance"}, "This field is required"),
    ({"stance": "agree", "reason": "x" * 1001}, "1000"),
])
def test_malformed_positions_get_a_form_error_and_store_nothing(db, client, login, data,
                                                                 message):
    made = make_proposal()
    login(factories.make_user())
    response = client.post(f"/proposals/{made.id}/position", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _stored(db) == [] and _history_count(db) == 0


def test_service_refuses_an_unknown_stance_and_a_long_reason(db):
    made, anna = make_proposal(), factories.make_user()
    with pytest.raises(InvalidInput):
        positions.take(anna, made.id, "yes", "")
    with pytest.raises(InvalidInput):
        positions.take(anna, made.id, "agree", "x" * 1001)
    with pytest.raises(InvalidInput):
        positions.take(anna, made.id, "agree", ["not", "text"])
    assert _stored(db) == []


def test_suspended_member_cannot_take_part(db, client, login):
    made, member = make_proposal(), factories.make_user()
    db.session.add(Suspension(user_id=member.id, reason="Personal attacks",
                              created_by_id=factories.make_moderator().id))
    db.session.commit()
    login(member)
    response = client.post(f"/proposals/{made.id}/position", data={"stance": "agree"})
    assert response.status_code == 403
    assert "Personal attacks" in response.get_data(as_text=True)
    assert _stored(db) == []


def test_guests_are_sent_to_sign_in(db, client):
    made = make_proposal()
    response = client.post(f"/proposals/{made.id}/position", data={"stance": "agree"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _stored(db) == []


def test_closed_proposal_refuses_changes_with_a_clear_message(db, client, login):
    made, anna = make_proposal(), factories.make_user()
    positions.take(anna, made.id, "agree", "")
    close_now(made)
    login(anna)
    response = client.post(f"/proposals/{made.id}/position",
                           data={"stance": "block", "reason": "Changed my mind"})
    assert response.status_code == 409
    assert "positions can no longer change" in response.get_data(as_text=True)
    assert [p.stance for p in _stored(db)] == [Stance.AGREE] and _history_count(db) == 1


def test_a_position_racing_with_an_early_close_is_refused(db):
    """The proposal was read open, then closed before the position's own update."""
    made, anna, mod = make_proposal(), factories.make_user(), factories.make_moderator()
    from sqlalchemy import update

    from forum.models.base import utcnow
    from forum.models.deliberation import Proposal
    db.session.execute(update(Proposal).where(Proposal.id == made.id).values(closed_at=utcnow(),
                                                                             closed_by_id=mod.id))
    with pytest.raises(Conflict):
        positions._take(anna, made, "agree", "")  # `made` still says open
    assert _stored(db) == []


def test_verified_only_proposal_refuses_unverified_members(db):
    made = make_proposal(participation="verified")
    with pytest.raises(Forbidden) as refused:
        positions.take(factories.make_user(), made.id, "agree", "")
    assert "Only verified members" in refused.value.message
    positions.take(factories.make_user(verified=True), made.id, "agree", "")
    assert len(_stored(db)) == 1


def _session_proposal(db, **session):
    moderator = factories.make_moderator(verified=True)
    live = make_live_session(moderator=moderator, **session)
    made, _wires = proposals.open_in_session(moderator, live.id,
                                             proposal_data(participation="session"))
    return live, made


def test_session_only_proposal_is_for_those_who_joined_the_room(db):
    live, made = _session_proposal(db)
    outsider, inside = factories.make_user(), factories.make_user()
    db.session.add(Participant(session_id=live.id, user_id=inside.id, sector=inside.sector))
    db.session.commit()
    with pytest.raises(Forbidden) as refused:
        positions.take(outsider, made.id, "agree", "")
    assert "participants of the live session" in refused.value.message
    positions.take(inside, made.id, "agree", "")
    assert [p.user_id for p in _stored(db)] == [inside.id]


def test_removed_participant_cannot_take_part(db):
    live, made = _session_proposal(db)
    member = factories.make_user()
    db.session.add(Participant(session_id=live.id, user_id=member.id, sector=member.sector,
                               removed=True))
    db.session.commit()
    with pytest.raises(Forbidden):
        positions.take(member, made.id, "agree", "")


def test_non_invitee_gets_403_for_an_invite_only_sessions_proposal(db, client, login):
    invited = factories.make_user()
    live, made = _session_proposal(db, visibility=Visibility.INVITE_ONLY, invitees=[invited])
    login(factories.make_user())
    response = client.post(f"/proposals/{made.id}/position", data={"stance": "agree"})
    assert response.status_code == 403
    assert client.get(f"/proposals/{made.id}").status_code == 403
    assert _stored(db) == []


def test_archived_topic_refuses_positions(db):
    from forum.models.discussion import TopicStatus
    made = make_proposal()
    made.thread.topic.status = TopicStatus.ARCHIVED
    db.session.commit()
    with pytest.raises(Forbidden) as refused:
        positions.take(factories.make_user(), made.id, "agree", "")
    assert "archived" in refused.value.message


def test_sector_and_verification_are_kept_as_they_were(db):
    """Tallies of a closed proposal never move, even when a member's profile changes."""
    made, per = make_proposal(), factories.make_user(sector=Sector.ACADEMIA, verified=True)
    positions.take(per, made.id, "agree", "")
    close_now(made)
    per.sector, per.verified_at = Sector.BUSINESS, None
    db.session.commit()
    numbers = results.counts(made.id)
    assert numbers["all"]["sectors"]["academia"]["agree"] == 1
    assert numbers["verified"]["total"]["agree"] == 1
    assert numbers["all"]["sectors"]["business"]["count"] == 0


def test_a_session_that_is_over_takes_positions_without_stream_events(db):
    live, made = _session_proposal(db, status=SessionStatus.LIVE)
    member = factories.make_user()
    db.session.add(Participant(session_id=live.id, user_id=member.id, sector=member.sector))
    live.status = SessionStatus.ENDED
    db.session.commit()
    taken = positions.take(member, made.id, "agree", "")
    assert taken.events == [] and taken.changed


def test_reasons_are_grouped_by_sector_on_the_page(db, client):
    made = make_proposal()
    positions.take(factories.make_user(sector=Sector.BUSINESS), made.id, "block", "Costly")
    positions.take(factories.make_user(sector=Sector.ACADEMIA), made.id, "agree", "Sound")
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert '<h3 id="reasons-business">Business (1)</h3>' in page
    assert page.index("reasons-business") < page.index("Costly") < page.index("reasons-academia")


def test_anonymous_session_shows_neither_the_opener_nor_sectors_of_reasons(db, client):
    from forum.models.live import Attribution
    opener = factories.make_user(verified=True, display_name="Verified Opener")
    voter = factories.make_user(sector=Sector.BUSINESS, display_name="Quiet Voter")
    live = make_live_session(attribution=Attribution.ANONYMOUS)
    for user in (opener, voter):
        db.session.add(Participant(session_id=live.id, user_id=user.id, sector=user.sector))
    db.session.commit()
    made, _wires = proposals.open_in_session(opener, live.id, proposal_data())
    positions.take(voter, made.id, "disagree", "Not now")
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    reasons = page.split('id="reasons"')[1]
    assert "Not now" in reasons and "reasons-business" not in reasons
    assert "Verified Opener" not in page and "Quiet Voter" not in page


def test_the_page_says_why_a_member_cannot_take_part(db, client, login):
    made = make_proposal(participation="verified")
    login(factories.make_user())
    page = client.get(f"/proposals/{made.id}").get_data(as_text=True)
    assert "Only verified members take part in this proposal." in page
    assert 'data-position-form' not in page
