"""Fifty members voting and changing their votes at the same moment leave exactly one vote
each and counters that match the stored votes exactly."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from forum.models.accounts import Sector, User
from forum.models.rounds import Choice, Statement, StatementTally, StatementVote
from forum.services.deliberation import votes
from tests import factories
from tests.proposals.test_concurrency import _run
from tests.rounds.conftest import make_round, make_statement

MEMBERS = 50
TWICE = 10  # members whose final vote is also sent from a second thread at once
CHOICES = list(Choice)
SECTORS = list(Sector)


def test_fifty_members_at_once_leave_one_vote_each_and_exact_tallies(app, db):
    made = make_round()
    target, other = make_statement(made, text="Open quays"), make_statement(made, text="Ferries")
    ids = [factories.make_user(sector=SECTORS[i % 6]).id for i in range(MEMBERS)]
    final = {user_id: CHOICES[i % 3] for i, user_id in enumerate(ids)}

    def cast(user_id: int, statement_id: int, choice: Choice) -> None:
        user = app.extensions["sqlalchemy"].session.get(User, user_id)
        votes.vote(user, made.id, statement_id, choice.value)

    def member(user_id: int):
        def job() -> None:
            first = CHOICES[(CHOICES.index(final[user_id]) + 1) % 3]
            cast(user_id, target.id, first)  # a first vote, then a change of mind
            cast(user_id, other.id, Choice.PASS)
            cast(user_id, target.id, final[user_id])
        return job

    def resend(user_id: int):
        return lambda: cast(user_id, target.id, final[user_id])

    jobs = [member(u) for u in ids] + [resend(u) for u in ids[:TWICE]]
    assert _run(app, jobs) == []
    db.session.expire_all()

    stored = db.session.execute(select(StatementVote.user_id, StatementVote.choice).where(
        StatementVote.statement_id == target.id)).all()
    assert len(stored) == MEMBERS and dict(stored) == final
    per_member = Counter(db.session.execute(select(StatementVote.user_id,
                                                   StatementVote.statement_id)).all())
    assert set(per_member.values()) == {1}

    expected: dict[tuple[str, str], int] = Counter()
    for i, user_id in enumerate(ids):
        expected[(SECTORS[i % 6].value, final[user_id].value)] += 1
    cells = db.session.scalars(select(StatementTally).where(
        StatementTally.statement_id == target.id)).all()
    got = Counter()
    for cell in cells:
        for choice, column in votes.COLUMN.items():
            if getattr(cell, column):
                got[(cell.sector.value, choice.value)] = getattr(cell, column)
    assert got == expected
    passes = db.session.scalars(select(StatementTally.passed).where(
        StatementTally.statement_id == other.id)).all()
    assert sum(passes) == MEMBERS
    assert db.session.get(Statement, target.id).votes == MEMBERS
    assert db.session.get(Statement, other.id).votes == MEMBERS
