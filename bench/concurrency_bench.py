"""Many signed-in members writing at once through serve.py (gevent), then an audit of what
is stored: the figures of issue 15's concurrency proof.

Each member has its own sign-in session and its own websocket on /live, and writes as fast as
its answers come: replies, edits, reactions, flags (HTTP forms, with CSRF), votes in live
polls, upvotes and chat (Socket.IO). Afterwards every write answered with success must be
stored exactly once and every refused one not at all, and the counters must equal a recount
(tests/proof/workload.py does the writing and the audit; tests/proof/ asserts the same).

Prints per kind of write: tried, accepted, refused (by reason), 5xx, unanswered; then lost,
duplicated, refused-but-stored, counter mismatches, accepted writes/s, p50 and p99 latency.

    .venv/bin/python bench/concurrency_bench.py                        # temp SQLite file
    .venv/bin/python bench/concurrency_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/concurrency_bench.py --database-url ... --servers 2 --redis-url redis://127.0.0.1:6389/15
    .venv/bin/python bench/concurrency_bench.py --kill                 # SIGKILL mid-run, restart

The PostgreSQL database is emptied (its tables dropped and made again) first.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--servers", type=int, default=1, help="server processes (need Redis)")
    parser.add_argument("--redis-url", help="shared by the servers (use your own port)")
    parser.add_argument("--kill", action="store_true",
                        help="SIGKILL the (first) server at 40%% of the run, start it again; "
                             "go on until every member has written again")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    if args.servers > 1 and not args.redis_url:
        parser.error("several servers share rooms and limits through Redis: give --redis-url")

    from forum import create_app
    from forum.extensions import db
    from tests.conftest import _config
    from tests.live.transport import Server
    from tests.proof import workload
    from tests.proof.conftest import PROXIED

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app(_config(url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        world = workload.build_world(app, args.members)
        servers = [Server(url, redis_url=args.redis_url, env=PROXIED).start()
                   for _ in range(args.servers)]
        killer = workload.KillAndRestart(servers[0], after=args.seconds * 0.4) if args.kill \
            else None
        try:
            run = workload.run(world, [s.url for s in servers], args.seconds, seed=args.seed,
                               during=killer, more=killer.more if killer else None)
        finally:
            for server in servers:
                server.stop()
        audit = workload.audit(world, run.attempts, sure=not args.kill)
        backend = url.split(":", 1)[0].split("+")[0]
        label = f"{args.servers} server(s), {backend}" + (", killed mid-run" if args.kill else "")
        print(workload.figures(run, audit, label))
        for problem in audit.problems[:20]:
            print("  PROBLEM:", problem)
        failures = [m.failure for m in run.members if m.failure]
        for failure in failures:
            print("  MEMBER:", failure)
        errors = sum(1 for a in run.attempts if a.outcome == "error")
        return 1 if audit.problems or failures or errors else 0


if __name__ == "__main__":
    sys.exit(main())
