"""Opinion groups come from a job on the queue (the suite's real Huey SQLite storage), never
from the results request: one run waits per round however many votes arrive, it stores the
groups with the round version it counted, and the page says when they were computed."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from forum.extensions import db as _db
from forum.jobs import huey
from forum.models.accounts import Sector
from forum.models.base import utcnow
from forum.models.rounds import Round
from forum.services.deliberation import round_results, statements, votes
from tests import factories
from tests.rounds.conftest import make_round, make_statement, members

SECTORS = list(Sector)


def _waiting() -> int:
    return huey.pending_count() + huey.scheduled_count()


def _planted(made, n: int = 12):
    """Two opinion groups that cut across the sectors: the first six members agree with the first
    three statements and disagree with the last three, the others the other way round."""
    texts = [f"Harbour idea {i}" for i in range(6)]
    written = [make_statement(made, text=t) for t in texts]
    voters = members(n)
    for i, member in enumerate(voters):
        for j, statement in enumerate(written):
            likes = (j < 3) == ((i // 6) % 2 == 0)
            votes.vote(member, made.id, statement.id, "agree" if likes else "disagree")
    return written, voters


def _round(made) -> Round:
    _db.session.expire_all()
    return _db.session.get(Round, made.id)


def test_many_votes_queue_one_run_per_round(db, run_jobs):
    made = make_round()
    other = make_round()
    assert _waiting() == 0
    _planted(made)
    statement = make_statement(other, text="Another round's idea")
    votes.vote(factories.make_user(), other.id, statement.id, "pass")
    assert _waiting() == 2  # 72 votes and 7 statements in one round, one vote in the other
    assert run_jobs() == 2
    assert _waiting() == 0


def test_the_job_stores_groups_with_the_version_it_counted(db, client, run_jobs):
    made = make_round()
    _planted(made)
    before = client.get(f"/rounds/{made.id}/results").get_data(True)
    assert "being computed" in before and "Group A" not in before
    assert _round(made).groups_cache is None  # the page did not compute them
    run_jobs()
    stored = _round(made)
    assert stored.groups_version == stored.version and stored.groups_queued_at is None
    assert stored.groups_cache["status"] == "ok" and stored.groups_cache["k"] == 2
    sizes = sorted(g["size"] for g in stored.groups_cache["groups"])
    assert sizes == [6, 6]
    for group in stored.groups_cache["groups"]:
        assert len(group["sectors"]) == 6  # each group holds every sector
    html = client.get(f"/rounds/{made.id}/results").get_data(True)
    assert "Group A" in html and "Group B" in html and "Groups computed" in html
    assert "being computed" not in html and "join at the next computation" not in html


def test_votes_after_a_run_queue_the_next_and_the_page_says_the_groups_are_older(
        db, client, run_jobs):
    made = make_round()
    written, _voters = _planted(made)
    run_jobs()
    computed = _round(made).groups_version
    votes.vote(factories.make_user(), made.id, written[0].id, "agree")
    assert _waiting() == 1
    html = client.get(f"/rounds/{made.id}/results").get_data(True)
    assert "Group A" in html and "join at the next computation" in html
    assert run_jobs() == 1
    assert _round(made).groups_version == computed + 1


def test_a_hidden_statement_queues_a_run_that_leaves_it_out(db, run_jobs):
    made = make_round()
    written, _voters = _planted(made)
    run_jobs()
    moderator = _db.session.get(factories.User, made.author_id)
    statements.hide(moderator, written[0].id, "Off topic")
    assert run_jobs() == 1
    cells = _round(made).groups_cache["groups"][0]["cells"]
    assert str(written[0].id) not in cells and str(written[1].id) in cells


def test_a_lost_run_is_queued_again_by_the_results_page(db, client, run_jobs):
    made = make_round()
    _planted(made)
    huey.flush()  # the queued run is lost; its mark stays on the round
    db.session.execute(update(Round).where(Round.id == made.id).values(
        groups_queued_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert "being computed" in client.get(f"/rounds/{made.id}/results").get_data(True)
    assert _waiting() == 1
    run_jobs()
    assert _round(made).groups_cache["status"] == "ok"


def test_a_round_without_votes_says_not_enough_votes_not_computing(db, client):
    made = make_round()
    make_statement(made, text="Nobody has voted on this yet")
    html = client.get(f"/rounds/{made.id}/results").get_data(True)
    assert "Not enough votes yet: 0 of the 10 members" in html
    assert "being computed" not in html


def test_results_read_the_stored_groups_without_computing(db, run_jobs, monkeypatch):
    made = make_round()
    _planted(made)
    run_jobs()

    def refuse(*args, **kwargs):
        raise AssertionError("groups computed in the request")

    monkeypatch.setattr(round_results.cg, "find_groups", refuse)
    found = round_results.compute(_db.session.scalar(select(Round).where(Round.id == made.id)))
    assert found.groups["status"] == "ok" and len(found.group_views) == 2
    assert found.groups_current and found.groups_at is not None
