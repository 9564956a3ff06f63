"""Statement-round benchmark: a round with 1,000 participants and 500 statements (about
100,000 votes, from two planted opinion groups that cut across the sectors).

Prints, measured in-process with Flask's test client (no network; one request at a time):
  * one run of the opinion-groups job (PCA and k-means over the whole round; on a worker, never
    in a request);
  * results page (GET /rounds/<id>/results): the first request (cold), then p50/p99 over
    --requests requests (warm);
  * vote accepted (POST /rounds/<id>/vote as a signed-in member, new votes and changed ones):
    p50/p99 over --votes votes, and the same through the service alone;
  * the results page again after those votes (the stored groups shown with the note that
    newer votes join at the next run; the sector counters are always current).

Aims: results p99 (warm) under 200 ms; a vote under 20 ms.

    .venv/bin/python bench/rounds_bench.py                        # temporary SQLite file
    .venv/bin/python bench/rounds_bench.py --database-url postgresql+psycopg://...
    .venv/bin/python bench/rounds_bench.py --members 200 --statements 100   # a quick look
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-1234"  # noqa: S105 - bench data only


def make_app(url: str):
    from forum.app import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-only-secret",
        "RATELIMIT_ENABLED": False, "REDIS_URL": None, "PREMODERATION_POSTS": 0,
        "WTF_CSRF_ENABLED": False, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024,
        # votes queue the opinion-groups job: into a queue of the bench's own
        "JOBS_SQLITE_PATH": os.path.join(tempfile.mkdtemp(prefix="rounds-bench-jobs-"),
                                         "jobs.sqlite3"),
    })


def build(app, members: int, statements: int, per_member: int, seed: int = 1) -> dict:
    """Schema and data, inserted in bulk (the vote path is measured separately)."""
    from sqlalchemy import insert

    from forum.extensions import db
    from forum.models.accounts import Role, Sector, User
    from forum.models.base import utcnow
    from forum.models.discussion import FocusArea, Post, Thread, Topic
    from forum.models.rounds import Round, Statement, StatementTally, StatementVote
    from forum.services import passwords

    rng, now = random.Random(seed), utcnow()
    sectors = list(Sector)
    with app.app_context():
        db.drop_all()
        db.create_all()
        password_hash = passwords.hash_password(PASSWORD)
        db.session.execute(insert(User), [
            {"email": f"m{i}@bench.test", "display_name": f"Member {i}",
             "sector": sectors[i % 6], "role": Role.MODERATOR if i == 0 else Role.MEMBER,
             "password_hash": password_hash, "email_confirmed_at": now, "created_at": now,
             "organisation": "", "title": ""} for i in range(members + 1)])
        area = FocusArea(slug="bench", name_sv="Bänk", name_en="Bench", position=1)
        db.session.add(area)
        db.session.flush()
        topic = Topic(focus_area_id=area.id, title="Bench")
        db.session.add(topic)
        db.session.flush()
        thread = Thread(topic_id=topic.id, title="Bench thread", author_id=1, post_count=1,
                        last_position=1)
        db.session.add(thread)
        db.session.flush()
        db.session.add(Post(thread_id=thread.id, position=1, author_id=1, body_source="x",
                            body_html="<p>x</p>"))
        made = Round(focus_area_id=area.id, topic_id=topic.id, thread_id=thread.id,
                     author_id=1, question="How should the harbour develop?",
                     closes_at=now + timedelta(days=30))
        db.session.add(made)
        db.session.flush()
        user_ids = list(range(2, members + 2))  # id 1 is the moderator
        authors = user_ids[:50]
        db.session.execute(insert(Statement), [
            {"round_id": made.id, "author_id": authors[i % len(authors)],
             "text": f"Statement {i}: the harbour should do thing number {i}.",
             "sector": sectors[i % 6], "status": "published", "created_at": now,
             "hidden_reason": "", "votes": 0} for i in range(statements)])
        statement_ids = list(range(1, statements + 1))
        author_of = {sid: authors[(sid - 1) % len(authors)] for sid in statement_ids}
        votes, tallies, counts = [], {}, {sid: 0 for sid in statement_ids}
        for n, user_id in enumerate(user_ids):
            group, sector = n % 2, sectors[(user_id - 1) % 6]
            for sid in rng.sample(statement_ids, min(per_member, statements)):
                if author_of[sid] == user_id:
                    continue
                likes = (sid % 3 == 0) or ((sid % 3 == 1) == (group == 0))
                choice = "agree" if likes else "disagree"
                if rng.random() < 0.15:
                    choice = "pass"
                votes.append({"statement_id": sid, "round_id": made.id, "user_id": user_id,
                              "choice": choice, "sector": sector, "created_at": now,
                              "updated_at": now})
                cell = tallies.setdefault((sid, sector), {"agree": 0, "disagree": 0,
                                                          "passed": 0})
                cell["passed" if choice == "pass" else choice] += 1
                counts[sid] += 1
        for start in range(0, len(votes), 10_000):
            db.session.execute(insert(StatementVote), votes[start:start + 10_000])
        db.session.execute(insert(StatementTally), [
            {"statement_id": sid, "sector": sector, "round_id": made.id, **cell}
            for (sid, sector), cell in tallies.items()])
        for sid, n in counts.items():
            db.session.execute(Statement.__table__.update().where(
                Statement.__table__.c.id == sid).values(votes=n))
        db.session.commit()
        return {"round": made.id, "votes": len(votes), "users": user_ids,
                "author_of": author_of, "statements": statement_ids}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(fn) -> float:
    """Wall-clock ms of one call; its CPU ms are kept in _SPENT, in call order."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    _SPENT.append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - start) * 1000


_SPENT: list[float] = []


def line(name: str, values: list[float]) -> str:
    """p50/p99 wall clock, and the mean CPU time of the same calls (which depends far less
    on other work sharing the machine)."""
    cpu = _SPENT[-len(values):]
    return (f"{name:<34} n={len(values):<5} p50 {statistics.median(values):7.1f} ms"
            f"   p99 {percentile(values, 0.99):7.1f} ms   cpu {statistics.mean(cpu):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--statements", type=int, default=500)
    parser.add_argument("--per-member", type=int, default=100, help="votes per member")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--votes", type=int, default=300)
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        url = "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="rounds-bench-"), "b.db")
    app = make_app(url)
    started = time.perf_counter()
    facts = build(app, args.members, args.statements, args.per_member)
    print(f"built: {args.members} members, {args.statements} statements, {facts['votes']} "
          f"votes in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
    round_id = facts["round"]
    client = app.test_client()
    results_url = f"/rounds/{round_id}/results"

    with app.app_context():
        from forum.services.deliberation import round_groups

        job = timed(lambda: round_groups.compute_now(round_id))
    print(f"{'opinion groups job (one run)':<34} {job:7.1f} ms")
    cold = timed(lambda: client.get(results_url))
    assert client.get(results_url).status_code == 200
    print(f"{'results page, cold':<34} {cold:7.1f} ms")
    warm = [timed(lambda: client.get(results_url)) for _ in range(args.requests)]
    print(line("results page, warm", warm))

    rng = random.Random(2)
    voters = rng.sample(facts["users"], min(len(facts["users"]), args.votes))
    http, service = [], []
    for user_id in voters:  # through the page's form, signed in
        member = app.test_client()
        member.post("/login", data={"email": f"m{user_id - 1}@bench.test", "password": PASSWORD})
        sid = rng.choice([s for s in facts["statements"] if facts["author_of"][s] != user_id])
        choice = rng.choice(["agree", "disagree", "pass"])
        http.append(timed(lambda m=member, s=sid, c=choice: _vote(m, round_id, s, c)))
    print(line("vote accepted (HTTP POST)", http))
    for user_id in voters:  # the service alone
        with app.app_context():
            from forum.extensions import db
            from forum.models.accounts import User
            from forum.services.deliberation import votes

            user = db.session.get(User, user_id)
            sid = rng.choice([s for s in facts["statements"] if facts["author_of"][s] != user_id])
            choice = rng.choice(["agree", "disagree", "pass"])
            service.append(timed(lambda u=user, s=sid, c=choice: votes.vote(u, round_id, s, c)))
    print(line("vote accepted (service)", service))
    during = [timed(lambda: client.get(results_url)) for _ in range(args.requests // 2)]
    print(line("results page after new votes", during))


def _vote(member, round_id: int, statement_id: int, choice: str) -> None:
    response = member.post(f"/rounds/{round_id}/vote",
                           data={"statement_id": statement_id, "choice": choice})
    assert response.status_code == 302, response.status_code


if __name__ == "__main__":
    main()
