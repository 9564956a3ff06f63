"""Statement rounds through the services: opening, statements and their moderation, votes
and every refusal. Each refusal stores nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from forum.models.accounts import Sector, Suspension, User
from forum.models.base import utcnow
from forum.models.deliberation import Participation
from forum.models.discussion import PostStatus
from forum.models.live import Visibility
from forum.models.moderation import ModerationAction
from forum.models.rounds import Choice, Statement, StatementTally, StatementVote
from forum.services.deliberation import round_results, rounds, statements, votes
from tests import factories
from tests.rounds.conftest import (
    close_now,
    make_live_session,
    make_round,
    make_statement,
    members,
    round_data,
)


def _votes(db) -> int:
    return db.session.scalar(select(func.count()).select_from(StatementVote))


def _cells(db, statement_id) -> dict:
    return {t.sector.value: (t.agree, t.disagree, t.passed) for t in db.session.scalars(
        select(StatementTally).where(StatementTally.statement_id == statement_id))}


def _log(db) -> list[str]:
    return list(db.session.scalars(select(ModerationAction.action)
                                   .order_by(ModerationAction.id)))


# --- Opening ----------------------------------------------------------------------------------


def test_a_moderator_opens_a_round_in_a_thread(db):
    made = make_round()
    assert made.is_open() and made.thread_id and made.participation == Participation.MEMBERS


def test_members_do_not_open_rounds(db):
    thread = factories.make_thread()
    with pytest.raises(Forbidden, match="Moderators open statement rounds"):
        rounds.open_in_thread(factories.make_user(verified=True), thread.id, round_data())


@pytest.mark.parametrize("fields, field", [
    ({"question": ""}, "question"), ({"question": "x" * 301}, "question"),
    ({"closes_at": None}, "closes_at"), ({"participation": "session"}, "participation"),
    ({"description": "y" * 2001}, "description")])
def test_malformed_rounds_are_refused(db, fields, field):
    thread, moderator = factories.make_thread(), factories.make_moderator()
    with pytest.raises(InvalidInput) as err:
        rounds.open_in_thread(moderator, thread.id, round_data(**fields))
    assert field in err.value.fields
    assert db.session.scalar(select(func.count(Statement.id))) == 0


def test_session_staff_open_a_round_in_a_session(db):
    session = make_live_session()
    staff = db.session.get(User, session.created_by_id)
    with pytest.raises(Forbidden):
        rounds.open_in_session(factories.make_user(verified=True), session.id, round_data())
    made = rounds.open_in_session(staff, session.id,
                                  round_data(participation="session"))
    assert made.live_session_id == session.id and made.thread_id is None


# --- Statements -------------------------------------------------------------------------------


def test_a_statement_is_published_and_trimmed(db):
    made = make_round()
    submitted = statements.submit(factories.make_user(), made.id, "  Keep   the piers  public ")
    assert submitted.published and submitted.statement.text == "Keep the piers public"


@pytest.mark.parametrize("text, code", [("", "invalid"), ("   ", "invalid"), (None, "invalid"),
                                        ("x" * 281, "too_long"), (12, "invalid")])
def test_bad_statements_are_refused_and_nothing_is_stored(db, text, code):
    made = make_round()
    with pytest.raises(InvalidInput) as err:
        statements.submit(factories.make_user(), made.id, text)
    assert err.value.code == code
    assert db.session.scalar(select(func.count(Statement.id))) == 0


def test_exactly_280_characters_is_allowed(db):
    made = make_round()
    assert statements.submit(factories.make_user(), made.id, "x" * 280).published


def test_a_duplicate_statement_is_refused(db):
    made = make_round()
    make_statement(made, text="More trees")
    with pytest.raises(InvalidInput, match="already in the round"):
        statements.submit(factories.make_user(), made.id, "more TREES")


def test_premoderated_round_holds_statements_until_approved(db):
    made = make_round(premoderate=True)
    moderator = factories.make_moderator()
    held = statements.submit(factories.make_user(), made.id, "A held statement")
    assert not held.published and held.statement.status == PostStatus.PENDING
    voter = factories.make_user()
    assert votes.next_for(voter, made) is None
    with pytest.raises(InvalidInput) as err:
        votes.vote(voter, made.id, held.statement.id, "agree")
    assert err.value.code == "hidden" and _votes(db) == 0
    statements.approve(moderator, held.statement.id)
    assert votes.next_for(voter, made).id == held.statement.id
    assert _log(db) == ["approve_statement"]


def test_members_still_premoderated_for_posts_are_held_in_rounds_too(app, db):
    app.config["PREMODERATION_POSTS"] = 2
    made = make_round()
    assert not statements.submit(factories.make_user(), made.id, "New here").published
    assert statements.submit(factories.make_user(verified=True), made.id, "Verified").published


def test_rejecting_needs_a_reason_and_is_logged(db):
    made = make_round(premoderate=True)
    held = statements.submit(factories.make_user(), made.id, "Rude words").statement
    moderator = factories.make_moderator()
    with pytest.raises(InvalidInput):
        statements.reject(moderator, held.id, "")
    statements.reject(moderator, held.id, "Abusive")
    assert held.status == PostStatus.REJECTED and _log(db) == ["reject_statement"]


def test_members_cannot_moderate_statements(db):
    made = make_round(premoderate=True)
    held = statements.submit(factories.make_user(), made.id, "Wait").statement
    with pytest.raises(Forbidden):
        statements.approve(factories.make_user(), held.id)
    with pytest.raises(Forbidden):
        statements.hide(factories.make_user(), held.id, "no")


def test_hiding_and_restoring_are_logged_and_take_it_out_of_votes_and_results(db):
    made, moderator = make_round(), factories.make_moderator()
    statement = make_statement(made)
    voter = factories.make_user()
    votes.vote(voter, made.id, statement.id, "agree")
    statements.hide(moderator, statement.id, "Personal data")
    other = factories.make_user()
    assert votes.next_for(other, made) is None
    with pytest.raises(InvalidInput) as err:
        votes.vote(other, made.id, statement.id, "agree")
    assert err.value.code == "hidden"
    assert statement.id not in round_results.compute(made).statements
    statements.restore(moderator, statement.id, "Checked")
    assert votes.next_for(other, made).id == statement.id
    assert _log(db) == ["hide_statement", "restore_statement"]


def test_flags_from_enough_members_hide_a_statement_pending_review(app, db):
    app.config["FLAG_AUTO_HIDE_COUNT"] = 2
    made = make_round()
    statement = make_statement(made)
    first = factories.make_user()
    statements.flag(first, statement.id, "spam")
    with pytest.raises(Conflict):
        statements.flag(first, statement.id, "spam")  # once per member
    assert statement.hidden_at is None
    statements.flag(factories.make_user(), statement.id, "abusive")
    db.session.refresh(statement)
    assert statement.hidden_at is not None and _log(db) == ["auto_hide_statement"]
    with pytest.raises(InvalidInput):
        statements.flag(factories.make_user(), statement.id, "spam")  # hidden now


def test_one_cannot_flag_ones_own_statement_or_without_a_reason(db):
    made = make_round()
    author = factories.make_user()
    statement = make_statement(made, author)
    with pytest.raises(InvalidInput):
        statements.flag(author, statement.id, "spam")
    with pytest.raises(InvalidInput):
        statements.flag(factories.make_user(), statement.id, "nonsense")
    with pytest.raises(InvalidInput):
        statements.flag(factories.make_user(), statement.id, "other", "")


# --- Votes ------------------------------------------------------------------------------------


def test_a_vote_is_counted_in_its_sector_and_a_change_replaces_it(db):
    made = make_round()
    statement = make_statement(made)
    anna = factories.make_user(sector=Sector.BUSINESS)
    voted = votes.vote(anna, made.id, statement.id, "agree")
    assert voted.changed and _cells(db, statement.id) == {"business": (1, 0, 0)}
    votes.vote(anna, made.id, statement.id, "disagree")
    assert _cells(db, statement.id) == {"business": (0, 1, 0)}
    again = votes.vote(anna, made.id, statement.id, "disagree")
    assert not again.changed
    (stored,) = db.session.scalars(select(StatementVote)).all()
    assert stored.choice == Choice.DISAGREE
    assert votes.statement_totals(statement.id) == {"id": statement.id, "agree": 0,
                                                    "disagree": 1, "pass": 0}


def test_a_member_who_changes_sector_moves_their_count(db):
    made = make_round()
    statement = make_statement(made)
    anna = factories.make_user(sector=Sector.BUSINESS)
    votes.vote(anna, made.id, statement.id, "agree")
    anna.sector = Sector.ACADEMIA
    db.session.commit()
    votes.vote(anna, made.id, statement.id, "pass")
    assert _cells(db, statement.id) == {"business": (0, 0, 0), "academia": (0, 0, 1)}


def test_the_database_allows_one_vote_per_member_and_statement(db):
    made = make_round()
    statement, anna = make_statement(made), factories.make_user()
    votes.vote(anna, made.id, statement.id, "agree")
    db.session.add(StatementVote(statement_id=statement.id, round_id=made.id, user_id=anna.id,
                                 choice=Choice.PASS, sector=Sector.POLITICS))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("choice", ["", "maybe", None, 1, "AGREE"])
def test_an_unknown_choice_is_refused(db, choice):
    made = make_round()
    statement = make_statement(made)
    with pytest.raises(InvalidInput) as err:
        votes.vote(factories.make_user(), made.id, statement.id, choice)
    assert err.value.code == "bad_choice" and _votes(db) == 0


def test_one_cannot_vote_on_ones_own_statement(db):
    made, author = make_round(), factories.make_user()
    statement = make_statement(made, author)
    with pytest.raises(InvalidInput) as err:
        votes.vote(author, made.id, statement.id, "agree")
    assert err.value.code == "own_statement" and _votes(db) == 0


@pytest.mark.parametrize("statement_id", ["1", None, True, 999_999])
def test_malformed_or_unknown_statement_ids_are_refused(db, statement_id):
    made = make_round()
    make_statement(made)
    with pytest.raises((InvalidInput, NotFound)):
        votes.vote(factories.make_user(), made.id, statement_id, "agree")
    assert _votes(db) == 0


def test_a_statement_of_another_round_is_refused(db):
    made, other = make_round(), make_round()
    statement = make_statement(other)
    with pytest.raises(InvalidInput, match="not part of this round"):
        votes.vote(factories.make_user(), made.id, statement.id, "agree")


def test_a_closed_round_refuses_votes_and_statements_with_a_clear_message(db):
    made = make_round()
    statement = make_statement(made)
    close_now(made)
    with pytest.raises(Conflict, match="This round has closed"):
        votes.vote(factories.make_user(), made.id, statement.id, "agree")
    with pytest.raises(Conflict, match="This round has closed"):
        statements.submit(factories.make_user(), made.id, "Late")
    assert _votes(db) == 0 and db.session.scalar(select(func.count(Statement.id))) == 1


def test_closing_early_is_logged_and_refuses_afterwards(db):
    made, moderator = make_round(), factories.make_moderator()
    statement = make_statement(made)
    with pytest.raises(Forbidden):
        rounds.close(factories.make_user(), made.id)
    rounds.close(moderator, made.id, "Enough statements")
    assert _log(db) == ["close_round"]
    with pytest.raises(Conflict):
        votes.vote(factories.make_user(), made.id, statement.id, "agree")
    with pytest.raises(Conflict):
        rounds.close(moderator, made.id)


def test_suspended_members_take_no_part(db):
    made = make_round()
    statement = make_statement(made)
    banned = factories.make_user()
    db.session.add(Suspension(user_id=banned.id, created_by_id=factories.make_moderator().id,
                              reason="Spam", ends_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    with pytest.raises(Forbidden, match="suspended"):
        votes.vote(banned, made.id, statement.id, "agree")
    with pytest.raises(Forbidden, match="suspended"):
        statements.submit(banned, made.id, "Hello")
    assert _votes(db) == 0


def test_verified_only_rounds_refuse_others(db):
    made = make_round(participation="verified")
    statement = make_statement(made, factories.make_user(verified=True))
    with pytest.raises(Forbidden, match="Only verified members"):
        votes.vote(factories.make_user(), made.id, statement.id, "agree")
    assert votes.vote(factories.make_user(verified=True), made.id, statement.id, "agree")


def test_invite_only_session_rounds_are_for_invitees(db):
    invitee = factories.make_user()
    session = make_live_session(visibility=Visibility.INVITE_ONLY, invitees=[invitee])
    moderator = db.session.get(User, session.created_by_id)
    made = rounds.open_in_session(moderator, session.id, round_data())
    with pytest.raises(Forbidden):
        rounds.for_viewer(factories.make_user(), made.id)
    with pytest.raises(Forbidden):
        round_results.results(factories.make_user(), made.id)
    statement = make_statement(made, invitee)
    with pytest.raises(Forbidden):
        votes.vote(factories.make_user(), made.id, statement.id, "agree")
    assert rounds.for_viewer(invitee, made.id) == made


# --- The voting order -------------------------------------------------------------------------


def test_statements_come_fewest_votes_first_never_own_or_already_voted(db):
    made = make_round()
    me = factories.make_user()
    first, second, third = (make_statement(made, text=t) for t in ("One", "Two", "Three"))
    mine = make_statement(made, me, text="Mine")
    for voter in members(2):
        votes.vote(voter, made.id, first.id, "agree")
    votes.vote(factories.make_user(), made.id, second.id, "agree")
    order = []
    while (statement := votes.next_for(me, made)) is not None:
        order.append(statement.text)
        votes.vote(me, made.id, statement.id, "pass")
    assert order == ["Three", "Two", "One"] and "Mine" not in order
    assert votes.remaining_for(me, made) == 0 and mine.votes == 0


def test_equal_votes_come_oldest_first(db):
    made = make_round()
    a, b = make_statement(made, text="A"), make_statement(made, text="B")
    assert votes.next_for(factories.make_user(), made).id == min(a.id, b.id)
