"""HTTP benchmark of the forum pages.

Builds a realistic forum by bulk inserts (default 100,000 posts: thousands of threads and one
2,000-post thread) into its own database, serves it with gunicorn (2 sync workers, 127.0.0.1)
and measures requests/s and p50/p99 latency with wrk (or a small threaded Python client) for:
home, a topic page, page 1 and the last page of the big thread (as a signed-in member), and two
ceilings under the same server: the app's own constant route (session, security headers and
the rest of our request handling around a constant string) and a bare Flask app with only a
constant route. Prints each page's throughput as a ratio to both.

    .venv/bin/python bench/http_bench.py --posts 100000
    .venv/bin/python bench/http_bench.py --posts 100000 --reuse --rounds 3   # medians of 3
    .venv/bin/python bench/http_bench.py --posts 10000 --posts 1000000   # compare sizes
    .venv/bin/python bench/http_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIG_THREAD_POSTS = 2000
PASSWORD = "bench member password 2026"
BENCH_EMAIL = "bench@bench.test"
PARAGRAPHS = [
    "The harbour plan needs an owner directive that survives elections.",
    "We have run eleven pilots in three years; two were scaled.",
    "Who answers to the voters when a joint company gets it wrong?",
    "Lighting along the school path was the first wish from the evening walks.",
    "Research on Nordic development companies suggests follow-up matters most.",
    "Green bonds could co-finance the first phase if the savings are measured.",
]


# --- Building the forum -----------------------------------------------------------------------


def body(rng: random.Random) -> tuple[str, str]:
    parts = rng.sample(PARAGRAPHS, rng.randint(1, 3))
    source = "\n\n".join(parts)
    html = "".join(f"<p>{p}</p>\n" for p in parts)
    return source, html


def build(url: str, total_posts: int, seed: int = 7) -> None:
    """Create the schema and fill it with bulk inserts (explicit ids, counters computed here)."""
    from sqlalchemy import bindparam, insert, update

    from forum import create_app
    from forum.extensions import db
    from forum.models.accounts import Role, Sector, User
    from forum.models.discussion import FocusArea, Thread, Topic
    from forum.services import passwords, seeding

    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None})
    started = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        seeding.ensure_focus_areas()
        areas = [a.id for a in db.session.scalars(db.select(FocusArea))]
        now = datetime.now(UTC)
        hashed = passwords.hash_password(PASSWORD)
        sectors = list(Sector)
        users = [{"id": i, "email": f"m{i}@bench.test", "display_name": f"Member {i}",
                  "password_hash": hashed, "sector": sectors[i % len(sectors)],
                  "organisation": f"Organisation {i % 40}", "title": "Director",
                  "role": Role.MEMBER, "verified_at": now if i % 3 else None,
                  "created_at": now - timedelta(days=900), "email_confirmed_at": now}
                 for i in range(2, 502)]
        users.append({"id": 1, "email": BENCH_EMAIL, "display_name": "Bench Member",
                      "password_hash": hashed, "sector": Sector.BUSINESS, "organisation": "Bench",
                      "title": "Reader", "role": Role.MEMBER, "verified_at": now,
                      "created_at": now - timedelta(days=900), "email_confirmed_at": now})
        db.session.execute(insert(User), users)
        topic_count = max(6, total_posts // 2000)
        topics = [{"id": t, "focus_area_id": areas[t % 3], "title": f"Governance question {t}",
                   "framing_source": "Why it matters.", "framing_html": "<p>Why it matters.</p>",
                   "thread_count": 0, "post_count": 0, "created_at": now - timedelta(days=800),
                   "last_activity_at": now - timedelta(days=800)} for t in range(1, topic_count + 1)]
        sizes = _thread_sizes(rng, total_posts)
        threads = [{"id": i, "topic_id": 1 if i == 1 else rng.randint(1, topic_count),
                    "title": f"Thread {i}", "author_id": rng.randint(2, 501), "post_count": size,
                    "last_position": size, "created_at": now, "last_activity_at": now}
                   for i, size in enumerate(sizes, start=1)]
        db.session.execute(insert(Topic), topics)
        db.session.execute(insert(Thread), threads)
        reactions = _fill_posts(db, rng, threads, now)
        by_id = {t["id"]: t for t in topics}
        for t in threads:
            topic = by_id[t["topic_id"]]
            topic["thread_count"] += 1
            topic["post_count"] += t["post_count"]
            topic["last_activity_at"] = max(topic["last_activity_at"], t["last_activity_at"])
        db.session.execute(
            update(Thread.__table__).where(Thread.__table__.c.id == bindparam("tid"))
            .values(last_post_id=bindparam("lp"), last_poster_id=bindparam("lu"),
                    last_activity_at=bindparam("la"), created_at=bindparam("ca")),
            [{"tid": t["id"], "lp": t["last_post_id"], "lu": t["last_poster_id"],
              "la": t["last_activity_at"], "ca": t["created_at"]} for t in threads])
        db.session.execute(
            update(Topic.__table__).where(Topic.__table__.c.id == bindparam("tid"))
            .values(thread_count=bindparam("tc"), post_count=bindparam("pc"),
                    last_activity_at=bindparam("la")),
            [{"tid": t["id"], "tc": t["thread_count"], "pc": t["post_count"],
              "la": t["last_activity_at"]} for t in topics])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                # explicit ids leave the sequences behind: move them on, or the first post
                # written through the app (search_bench's replies) collides with post 1
                for name in ("users", "topics", "threads", "posts", "reactions"):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {name}))")
                conn.commit()
                conn.exec_driver_sql("ANALYZE")
        elif db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    print(f"built {total_posts:,} posts in {len(threads):,} threads, {len(topics)} topics, "
          f"{reactions:,} reactions in {time.perf_counter() - started:.0f} s")


def _thread_sizes(rng, total_posts) -> list[int]:
    """Thread 1 is the big one (in topic 1); the rest get 1-120 posts each."""
    sizes = [min(BIG_THREAD_POSTS, total_posts)]
    left = total_posts - sizes[0]
    while left > 0:
        sizes.append(min(left, 120, max(1, int(rng.expovariate(1 / 30)))))
        left -= sizes[-1]
    return sizes


def _fill_posts(db, rng, threads, now) -> int:
    """Insert every thread's posts (some replying to recent ones) and reactions, in batches;
    fill each thread's last post, poster and activity into its dict."""
    from forum.models.discussion import Post, Reaction

    posts, reactions, post_id, reaction_total = [], [], 1, 0
    span = timedelta(days=720).total_seconds()
    for thread in threads:
        when = now - timedelta(seconds=rng.uniform(0, span))
        thread["created_at"] = when
        recent: list[tuple[int, int]] = []
        for position in range(1, thread["post_count"] + 1):
            parent = recent[rng.randrange(len(recent))] if recent and rng.random() < 0.4 else None
            poster = thread["author_id"] if position == 1 else rng.randint(2, 501)
            source, html = body(rng)
            depth = parent[1] + 1 if parent else 0
            posts.append({"id": post_id, "thread_id": thread["id"], "position": position,
                          "author_id": poster, "parent_id": parent[0] if parent else None,
                          "depth": depth, "body_source": source, "body_html": html,
                          "created_at": when})
            for kind in ("agree", "insightful", "thanks")[: rng.choice((0, 0, 0, 1, 2, 3))]:
                reactions.append({"post_id": post_id, "kind": kind,
                                  "user_id": rng.randint(2, 501), "created_at": when})
            recent = (recent + [(post_id, depth)])[-10:]
            thread.update(last_post_id=post_id, last_poster_id=poster, last_activity_at=when)
            post_id += 1
            when += timedelta(minutes=rng.randint(1, 600))
        if len(posts) >= 20_000:
            reaction_total += _flush(db, Post, posts, Reaction, reactions)
    return reaction_total + _flush(db, Post, posts, Reaction, reactions)


def _flush(db, post_model, posts, reaction_model, reactions) -> int:
    from sqlalchemy import insert

    if posts:
        db.session.execute(insert(post_model), posts)
    # one reaction of each kind per member per post: drop accidental duplicates
    unique = list({(r["post_id"], r["user_id"], r["kind"]): r for r in reactions}.values())
    if unique:
        db.session.execute(insert(reaction_model), unique)
    posts.clear()
    reactions.clear()
    return len(unique)


# --- Serving and measuring --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, port: int, app: str = "bench.wsgi_bench:app") -> subprocess.Popen:
    env = dict(os.environ, BENCH_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "--no-control-socket", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def sign_in(port: int) -> str:
    """Sign the bench member in and return the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    form = f"email={BENCH_EMAIL}&password={PASSWORD.replace(' ', '+')}"
    if token:
        form += f"&csrf_token={token.group(1)}"
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"sign-in failed: {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]


def measure(port: int, path: str, cookie: str | None, seconds: int, connections: int) -> dict:
    if shutil.which("wrk"):
        return _wrk(port, path, cookie, seconds, connections)
    return _python_client(port, path, cookie, seconds, connections)


def _wrk(port, path, cookie, seconds, connections) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
               f"http://127.0.0.1:{port}{path}"]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {"rps": rps, "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
            "errors": (int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0)}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _python_client(port, path, cookie, seconds, connections) -> dict:
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t0)
            if response.status >= 400:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=worker) for _ in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    latencies.sort()
    return {"rps": len(latencies) / seconds, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99)] * 1000, "errors": errors[0]}


def run(url: str, seconds: int, connections: int, rounds: int = 1) -> list[tuple[str, dict]]:
    """Each endpoint `rounds` times, round-robin (so a slow minute hits every endpoint alike);
    the report takes the median of the rounds."""
    port = free_port()
    server = serve(url, port, "bench.wsgi_bench:bare")
    try:
        measure(port, "/_bench/ceiling", None, 2, connections)
        bare = [measure(port, "/_bench/ceiling", None, seconds, connections)
                for _ in range(rounds)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    port = free_port()
    server = serve(url, port)
    try:
        cookie = sign_in(port)
        last_page = -(-BIG_THREAD_POSTS // 20)
        targets = [
            ("ceiling (app, constant string)", "/_bench/ceiling", None),
            ("home", "/", cookie),
            ("topic page", "/topics/1", cookie),
            ("big thread, page 1", "/threads/1?page=1", cookie),
            (f"big thread, page {last_page} (last)", f"/threads/1?page={last_page}", cookie),
            ("ordinary thread, page 1", "/threads/2?page=1", cookie),
        ]
        for _name, path, jar in targets:
            measure(port, path, jar, 2, connections)  # warm up caches and connections
        runs: dict[str, list[dict]] = {"bare Flask ceiling": bare}
        for _ in range(rounds):
            for name, path, jar in targets:
                runs.setdefault(name, []).append(measure(port, path, jar, seconds, connections))
        return [(name, _median_run(measured)) for name, measured in runs.items()]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)


def _median_run(measured: list[dict]) -> dict:
    median = {key: statistics.median(m[key] for m in measured) for key in ("rps", "p50", "p99")}
    return {**median, "errors": sum(m["errors"] for m in measured),
            "all_rps": [m["rps"] for m in measured]}


def in_process(url: str, rounds: int = 40) -> list[tuple[str, dict]]:
    """Median and p90 of single requests through the Flask test client, one at a time, as CPU
    time of this process (SQLite runs in-process, so it is included) and as wall time. CPU
    time hardly depends on what else the machine is doing, so it compares sizes fairly."""
    from bench.wsgi_bench import make_app
    from forum.app import freeze_startup_heap

    app = make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    freeze_startup_heap()  # as the servers do
    client = app.test_client()
    client.post("/login", data={"email": BENCH_EMAIL, "password": PASSWORD})
    last_page = -(-BIG_THREAD_POSTS // 20)
    results = []
    for name, path in (("ceiling (app, constant string)", "/_bench/ceiling"), ("home", "/"),
                       ("topic page", "/topics/1"), ("big thread, page 1", "/threads/1?page=1"),
                       (f"big thread, page {last_page} (last)", f"/threads/1?page={last_page}")):
        cpu, wall = [], []
        for i in range(rounds + 5):
            started, started_cpu = time.perf_counter(), time.process_time()
            assert client.get(path).status_code == 200
            if i >= 5:
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
        results.append((name, {"cpu": statistics.median(cpu), "p50": statistics.median(wall),
                               "p90": sorted(wall)[int(len(wall) * .9)]}))
    return results


def report(title: str, results: list[tuple[str, dict]]) -> None:
    """Each line's throughput as a ratio to the app's constant route ("ratio") and to a bare
    Flask app's constant route under the same server ("vs bare"). With several rounds: medians,
    and the lowest and highest ratio of single rounds (each against that round's ceiling)."""
    bare, ceiling = results[0][1], results[1][1]
    print(f"\n{title}")
    print(f"{'endpoint':36} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} "
          f"{'vs bare':>8} {'errors':>6}  ratio in rounds")
    for name, r in results:
        spread = [rps / top for rps, top in zip(r["all_rps"], ceiling["all_rps"], strict=True)]
        rounds = f"{min(spread):.1%}-{max(spread):.1%}" if len(spread) > 1 else ""
        print(f"{name:36} {r['rps']:9.0f} {r['p50']:8.1f} {r['p99']:8.1f} "
              f"{r['rps'] / ceiling['rps']:7.1%} {r['rps'] / bare['rps']:8.1%} {r['errors']:6d}  "
              f"{rounds}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, action="append",
                        help="total posts (repeat to compare sizes); default 100000")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file in bench/data)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every endpoint this many times, round-robin; report medians")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing bench database")
    parser.add_argument("--in-process", action="store_true",
                        help="time single requests through the test client instead of gunicorn")
    args = parser.parse_args()
    for total in args.posts or [100_000]:
        url = args.database_url
        if url is None:
            path = ROOT / "bench" / "data" / f"forum-{total}.sqlite3"
            path.parent.mkdir(exist_ok=True)
            url = f"sqlite:///{path}"
            if not (args.reuse and path.exists()):
                for old in path.parent.glob(path.name + "*"):
                    old.unlink()
                build(url, total)
        elif not args.reuse:
            build(url, total)
        if args.in_process:
            print(f"\n{total:,} posts on {url.split(':')[0]}, single requests in process (ms)")
            print(f"{'endpoint':36} {'CPU p50':>8} {'wall p50':>9} {'wall p90':>9}")
            for name, r in in_process(url):
                print(f"{name:36} {r['cpu']:8.1f} {r['p50']:9.1f} {r['p90']:9.1f}")
            continue
        report(f"{total:,} posts on {url.split(':')[0]}, {args.connections} connections, "
               f"{args.seconds} s each, median of {args.rounds} round(s)",
               run(url, args.seconds, args.connections, args.rounds))


if __name__ == "__main__":
    main()
