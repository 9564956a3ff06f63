"""Search latency over the 100,000-post benchmark forum, and what indexing adds to posting.

Builds the HTTP benchmark's forum (bench/http_bench.py), rewrites 3 % of its posts into
Swedish (so the forum holds both languages and some rare words), rebuilds the search index
(timed), then times `forum.services.search.search()` in process, round-robin over a mix of
common and rare words, with and without filters, as a visitor and as a member. Last, it
times replies through the posting service with the index on and off.

Aims: search p99 under 50 ms on SQLite and PostgreSQL; indexing adds at most 20 % to a reply.
Beside wall-clock p50/p99 it prints the mean CPU time of each query and of a reply, which
depends much less on other work sharing the machine.

    .venv/bin/python bench/search_bench.py                                   # SQLite file
    .venv/bin/python bench/search_bench.py --posts 20000                     # a quick check
    .venv/bin/python bench/search_bench.py --database-url postgresql+psycopg://u@127.0.0.1/db
    .venv/bin/python bench/search_bench.py --reuse --rounds 50
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import http_bench  # noqa: E402
from forum.services.search.query import COUNT_CAP  # noqa: E402

SWEDISH = [
    "Kommunen behöver en tydlig ägardirektiv för hamnen som håller över valen.",
    "Kommunernas samarbete om äldreomsorgen har gett kortare köer till hemtjänsten.",
    "Färjeläget i norr måste byggas om innan trafiken växer mer.",
    "Vi har provat elva piloter på tre år; två har skalats upp i hela staden.",
    "Belysningen längs skolvägen var det första önskemålet från kvällsvandringarna.",
]
RARE = ["hamnbadet", "tunnelbanan", "kvarteret Örnen", "solcellsparken"]

# (label, query, filters): common words match a third of the posts or more
QUERIES = [
    ("common en, 1 word", "harbour", {}),
    ("common en, 2 words", "green bonds", {}),
    ("common en, inflected", "pilots scaled", {}),
    ("common sv, inflected", "kommunen", {}),
    ("rare sv", "hamnbadet", {}),
    ("rare sv, 2 words", "kvarteret örnen", {}),
    ("rare + common", "tunnelbanan kommun", {}),
    ("no match", "zebrakorsningsljus", {}),
    ("common + sector filter", "harbour", {"sector": "business"}),
    ("common + verified + area", "owner directive", {"verified": True, "area": "city-governance"}),
    ("common, page 10", "harbour", {"page": 10}),
]


def swedish_share(url: str, share: float = 0.03, seed: int = 11) -> int:
    """Rewrite a share of the posts in Swedish, a few with rare words (no index yet)."""
    from sqlalchemy import bindparam, func, select, update

    from bench.wsgi_bench import make_app
    from forum.extensions import db
    from forum.models.discussion import Post

    rng = random.Random(seed)
    app = make_app(url)
    with app.app_context():
        total = db.session.scalar(select(func.count(Post.id)))
        chosen = rng.sample(range(1, total + 1), int(total * share))
        rows = []
        for n, post_id in enumerate(chosen):
            parts = rng.sample(SWEDISH, 2) + ([RARE[n % len(RARE)]] if n % 25 == 0 else [])
            rows.append({"pid": post_id, "s": "\n\n".join(parts),
                         "h": "".join(f"<p>{p}</p>" for p in parts)})
        db.session.info["search.off"] = True
        table = Post.__table__
        db.session.execute(update(table).where(table.c.id == bindparam("pid"))
                           .values(body_source=bindparam("s"), body_html=bindparam("h")), rows)
        db.session.commit()
        db.engine.dispose()
    return len(chosen)


def reindex(url: str) -> None:
    from bench.wsgi_bench import make_app
    from forum.extensions import db
    from forum.services import search

    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        counts = search.rebuild()  # ends with ANALYZE on PostgreSQL
        took = time.perf_counter() - started
        db.engine.dispose()
    print(f"index rebuilt in {took:.0f} s: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()))


def settle(url: str) -> None:
    """The index as a running forum keeps it: SQLite's FTS5 merge settings as the migration
    sets them, the worker's upkeep job done (FTS5 segments merged, the GIN pending list
    emptied) and, on PostgreSQL, fresh statistics (which
    autovacuum gathers in production; a bench server may run without it, and a reused
    database may never have had them)."""
    from sqlalchemy import text

    from bench.wsgi_bench import make_app
    from forum.extensions import db
    from forum.models.search import FTS_MERGING, FTS_TABLE
    from forum.services.search.index import merge_segments

    app = make_app(url)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":  # a bench file from before the migration
            config = dict(db.session.execute(text(f"SELECT k, v FROM {FTS_TABLE}_config")).all())
            for name, value in FTS_MERGING.items():
                if config.get(name) != value:
                    print(f"FTS5 {name} set to {value}, as the migration sets it")
                    db.session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) "
                                            f"VALUES('{name}', {value})"))
            db.session.commit()
        merge_segments()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE search_entries"))
            db.session.commit()
        db.engine.dispose()


def measure(url: str, rounds: int) -> list[tuple[str, list[float], int]]:
    from sqlalchemy import select

    from bench.wsgi_bench import make_app
    from forum.extensions import db
    from forum.models.accounts import User
    from forum.services import search

    app = make_app(url)
    timings: dict[str, list[float]] = {label: [] for label, _q, _f in QUERIES}
    cpu: dict[str, list[float]] = {label: [] for label, _q, _f in QUERIES}
    totals: dict[str, str] = {}
    with app.app_context(), app.test_request_context():
        member = db.session.scalar(select(User).where(User.email == http_bench.BENCH_EMAIL))
        for n in range(rounds + 2):  # two warm-up rounds
            for label, q, given in QUERIES:
                given = dict(given)
                page = given.pop("page", 1)
                reader = member if n % 2 else None
                started, cpu_started = time.perf_counter(), time.process_time()
                filters = search.filters_from(**given)
                results = search.search(reader, q, filters, page=page)
                took = (time.perf_counter() - started) * 1000
                if n >= 2:
                    timings[label].append(took)
                    cpu[label].append((time.process_time() - cpu_started) * 1000)
                totals[label] = f"{'>' if results.more else ''}{results.total:,}"
        db.engine.dispose()
    return [(label, timings[label], cpu[label], totals[label]) for label, _q, _f in QUERIES]


def posting_cost(url: str, replies: int, warmup: int = 10) -> dict[str, float]:
    """Wall-clock and CPU ms per reply with the index on and off (median and mean of each),
    in the same thread, alternating batches of 10. Both paths are warmed up first, untimed:
    the first reply of each kind pays one-off costs (statements compiled and cached, the
    stemmers built, mappers configured) that would otherwise land in whichever batch runs
    first.

    Replies leave the index's upkeep (SQLite: merging FTS5 segments; PostgreSQL: the GIN
    pending list) to the periodic job in the worker. The bench runs it after each batch, as
    a worker would, untimed for the replies; its CPU is reported on its own, per reply."""
    from sqlalchemy import select

    from bench.wsgi_bench import make_app
    from forum.extensions import db
    from forum.models.accounts import User
    from forum.services.discussion import posting
    from forum.services.search.index import merge_segments

    app = make_app(url)
    timed: dict[str, list[float]] = {"on": [], "off": [], "cpu_on": [], "cpu_off": []}
    merging = 0.0
    rng = random.Random(5)
    with app.app_context(), app.test_request_context():
        member = db.session.scalar(select(User).where(User.email == http_bench.BENCH_EMAIL))
        for n in range(-2 * warmup, replies * 2):
            indexing = (n % 20 < 10) if n >= 0 else n % 2 == 0
            db.session().info["search.off"] = not indexing
            text = "\n\n".join(rng.sample(http_bench.PARAGRAPHS + SWEDISH, 2))
            started, cpu_started = time.perf_counter(), time.process_time()
            posting.reply(member, 2, text)
            took = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu_started) * 1000
            if n >= 0:
                way = "on" if indexing else "off"
                timed[way].append(took)
                timed["cpu_" + way].append(cpu)
            if n % 10 == 9:  # a batch done: the worker's merge job
                cpu_started = time.process_time()
                merge_segments()
                if n >= 0:
                    merging += time.process_time() - cpu_started
        db.session().info.pop("search.off", None)
        db.engine.dispose()
    found = {}
    for name, values in timed.items():
        found[name] = statistics.median(values)
        found[name + "_mean"] = statistics.mean(values)
    found["merge_cpu"] = merging * 1000 / replies
    return found


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000,
                        help="posts in the forum (e.g. 20000 for a quick check)")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file in bench/data)")
    parser.add_argument("--rounds", type=int, default=30, help="times each query is run")
    parser.add_argument("--replies", type=int, default=200, help="replies timed each way")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing bench database")
    parser.add_argument("--warmup", type=int, default=10,
                        help="untimed replies each way before the timed ones")
    parser.add_argument("--only", choices=("search", "replies"),
                        help="time only the searches or only the replies")
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        path = ROOT / "bench" / "data" / f"search-{args.posts}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        url = f"sqlite:///{path}"
        fresh = not (args.reuse and path.exists())
        if fresh:
            for old in path.parent.glob(path.name + "*"):
                old.unlink()
    else:
        fresh = not args.reuse
    if fresh:
        http_bench.build(url, args.posts)
        started = time.perf_counter()
        print(f"{swedish_share(url):,} posts rewritten in Swedish in "
              f"{time.perf_counter() - started:.0f} s")
        reindex(url)
    backend = url.split(":")[0].split("+")[0]
    settle(url)
    if args.only == "replies":
        print_posting_cost(posting_cost(url, args.replies, args.warmup), args.replies, args.warmup)
        return
    print(f"\n{args.posts:,} posts on {backend}: search, in process, {args.rounds} runs each "
          f"(visitor and member alternately), ms; hits counted up to {COUNT_CAP:,} "
          f"('>': more)")
    print(f"{'query':28} {'q':24} {'hits':>7} {'p50':>7} {'p99':>7} {'cpu':>7}")
    every, every_cpu = [], []
    measured = measure(url, args.rounds)
    for (label, timings, cpu, total), (_l, q, given) in zip(measured, QUERIES, strict=True):
        every += timings
        every_cpu += cpu
        shown = q + ("".join(f" {k}={v}" for k, v in given.items()))
        print(f"{label:28} {shown[:24]:24} {total:>7} {pct(timings, 50):7.1f} "
              f"{pct(timings, 99):7.1f} {statistics.mean(cpu):7.1f}")
    print(f"{'all queries':28} {'':24} {'':>7} {pct(every, 50):7.1f} {pct(every, 99):7.1f} "
          f"{statistics.mean(every_cpu):7.1f}")
    if args.only != "search":
        print_posting_cost(posting_cost(url, args.replies, args.warmup), args.replies, args.warmup)


def print_posting_cost(cost: dict[str, float], replies: int, warmup: int) -> None:
    print(f"\nreply through the posting service, {replies} each way (after {warmup} untimed), ms:")
    print(f"{'':12} {'index on':>9} {'off':>9} {'extra':>7}")
    for label, name in (("wall median", "on"), ("wall mean", "on_mean"),
                        ("CPU median", "cpu_on"), ("CPU mean", "cpu_on_mean")):
        on, off = cost[name], cost[name.replace("on", "off", 1)]
        print(f"{label:12} {on:9.1f} {off:9.1f} {(on / off - 1) * 100:+6.0f} %")
    print(f"index upkeep (the worker's job, run after each batch: FTS5 merges on SQLite, the "
          f"GIN pending list on PostgreSQL): {cost['merge_cpu']:.1f} ms of CPU per indexed reply")

if __name__ == "__main__":
    main()
