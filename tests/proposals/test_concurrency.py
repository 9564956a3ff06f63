"""Fifty members taking and changing positions at the same moment leave exactly one position
each and exact tallies; every tally a client was sent counts what was committed before it."""
from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from forum.models.accounts import Sector, User
from forum.models.deliberation import Position, PositionChange, Proposal, Stance
from forum.services.deliberation import positions, results
from tests import factories
from tests.proposals.conftest import make_proposal

MEMBERS = 50
TWICE = 10  # members whose final position is also sent from a second thread at once
STANCES = list(Stance)
SECTORS = list(Sector)


def _run(app, jobs) -> list[BaseException]:
    """Run every job in its own thread, app context and database session, all released at
    the same moment."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def worker(job) -> None:
        try:
            with app.app_context():
                start.wait()
                job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_fifty_members_at_once_leave_one_position_each_and_exact_tallies(app, db):
    made = make_proposal()
    ids = [factories.make_user(sector=SECTORS[i % 6], verified=i % 3 == 0).id
           for i in range(MEMBERS)]
    final = {user_id: STANCES[i % 4] for i, user_id in enumerate(ids)}
    versions: list[int] = []
    totals: dict[int, int] = {}  # version -> members counted in the tally sent with it
    lock = threading.Lock()

    def take(user_id: int, stance: Stance) -> None:
        user = app.extensions["sqlalchemy"].session.get(User, user_id)
        taken = positions.take(user, made.id, stance.value, f"Because {stance.value}")
        if taken.changed:
            with lock:
                versions.append(taken.tally["version"])
                totals[taken.tally["version"]] = taken.tally["counts"]["all"]["total"]["count"]

    def member(user_id: int):
        def job() -> None:
            first = STANCES[(STANCES.index(final[user_id]) + 1) % 4]
            take(user_id, first)  # a first position, then a change of mind
            take(user_id, final[user_id])
        return job

    def resend(user_id: int):
        return lambda: take(user_id, final[user_id])

    jobs = [member(user_id) for user_id in ids] + [resend(user_id) for user_id in ids[:TWICE]]
    assert _run(app, jobs) == []
    db.session.expire_all()

    stored = db.session.execute(select(Position.user_id, Position.stance)).all()
    assert len(stored) == MEMBERS and dict(stored) == final
    per_member = Counter(db.session.scalars(select(Position.user_id)))
    assert set(per_member.values()) == {1}

    numbers = results.counts(made.id)
    assert numbers["all"]["total"]["count"] == MEMBERS
    for stance in STANCES:
        assert numbers["all"]["total"][stance.value] == list(final.values()).count(stance)
    for i, sector in enumerate(SECTORS):
        expected = Counter(final[user_id] for n, user_id in enumerate(ids) if n % 6 == i)
        assert {s.value: numbers["all"]["sectors"][sector.value][s.value] for s in STANCES} \
            == {s.value: expected[s] for s in STANCES}
    verified = Counter(final[user_id] for n, user_id in enumerate(ids) if n % 3 == 0)
    assert numbers["verified"]["total"]["count"] == sum(verified.values())

    # every real change bumped the version once and left one history row: no two tallies sent
    # out carry the same version, and the last one counts everything
    changes = db.session.scalar(select(func.count()).select_from(PositionChange))
    assert db.session.get(Proposal, made.id).version == changes == len(versions)
    assert changes >= 2 * MEMBERS and sorted(versions) == list(range(1, changes + 1))
    counted = [totals[v] for v in sorted(totals)]
    assert counted == sorted(counted) and counted[-1] == MEMBERS  # a newer tally never counts less
