"""The JSON API's posts list beside the thread page: same server, same run, same data.

Builds (or reuses) the HTTP benchmark's forum (bench/http_bench.py: one 2,000-post thread
among thousands), makes a read token for the bench member, serves it with gunicorn (2 sync
workers) and measures, round-robin, requests/s and p50/p99 of:

  thread page 1 (20 posts) and GET /api/v1/threads/1/posts?limit=20, as a visitor;
  the same two as the bench member (session cookie for the page, bearer token for the API);
  the last page of the thread and the API page that starts after post 1,980 (a cursor).

Aim: the JSON list at least twice the thread page's requests per second.

    .venv/bin/python bench/api_bench.py --posts 100000
    .venv/bin/python bench/api_bench.py --posts 100000 --reuse --rounds 3
    .venv/bin/python bench/api_bench.py --in-process        # CPU per request, test client
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import http_bench  # noqa: E402

SECRET = os.environ.get("BENCH_SECRET_KEY", "bench-only-secret")  # as bench/wsgi_bench.py


def make_token(url: str) -> str:
    """A read token for the bench member (made anew each run; only its hash is stored)."""
    from bench.wsgi_bench import make_app
    from forum.services import accounts

    app = make_app(url)
    with app.app_context():
        member = accounts.find_by_email(http_bench.BENCH_EMAIL)
        _token, secret = accounts.create_token(member, "api bench", ["read"])
        from forum.extensions import db
        db.engine.dispose()
    return secret


def cursor_after(position: int) -> str:
    """The cursor the API would hand out after `position` of thread 1."""
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(SECRET, salt="api-cursor").dumps(["thread:1:posts", position])


def targets(cookie: str, token: str) -> list[tuple[str, str, dict]]:
    last_page = -(-http_bench.BIG_THREAD_POSTS // 20)
    deep = http_bench.BIG_THREAD_POSTS - 20
    bearer = {"Authorization": f"Bearer {token}"}
    api = "/api/v1/threads/1/posts?limit=20"
    return [
        ("thread page 1, visitor", "/threads/1?page=1", {}),
        ("API posts 1-20, visitor", api, {}),
        ("thread page 1, member", "/threads/1?page=1", {"Cookie": cookie}),
        ("API posts 1-20, member token", api, bearer),
        (f"thread page {last_page} (last), member", f"/threads/1?page={last_page}",
         {"Cookie": cookie}),
        (f"API posts {deep + 1}-{deep + 20}, member token",
         f"{api}&cursor={cursor_after(deep)}", bearer),
    ]


def measure(port: int, path: str, headers: dict, seconds: int, connections: int) -> dict:
    """http_bench's client with any headers (wrk -H, or the Python client)."""
    if "Authorization" not in headers:
        return http_bench.measure(port, path, headers.get("Cookie"), seconds, connections)
    if http_bench.shutil.which("wrk"):
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                   "--latency", "-H", f"Authorization: {headers['Authorization']}",
                   f"http://127.0.0.1:{port}{path}"]
        out = http_bench.subprocess.run(command, capture_output=True, text=True,
                                        check=True).stdout
        return http_bench.parse_wrk(out) if hasattr(http_bench, "parse_wrk") else _parse(out)
    return _python_client(port, path, headers, seconds, connections)


def _parse(out: str) -> dict:
    re = http_bench.re
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": http_bench._ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            "p99": http_bench._ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
            "errors": int(bad.group(1)) if bad else 0}


def _python_client(port, path, headers, seconds, connections) -> dict:
    import http.client
    import threading

    latencies, errors, lock = [], [0], threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        conn, mine = http.client.HTTPConnection("127.0.0.1", port), []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            errors[0] += response.status >= 400
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


def run(url: str, seconds: int, connections: int, rounds: int) -> list[tuple[str, dict]]:
    token = make_token(url)
    port = http_bench.free_port()
    server = http_bench.serve(url, port)
    try:
        cookie = http_bench.sign_in(port)
        chosen = targets(cookie, token)
        for _name, path, headers in chosen:
            measure(port, path, headers, 2, connections)  # warm-up
        runs: dict[str, list[dict]] = {}
        for _ in range(rounds):
            for name, path, headers in chosen:
                runs.setdefault(name, []).append(measure(port, path, headers, seconds,
                                                         connections))
        return [(name, http_bench._median_run(m)) for name, m in runs.items()]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)


def in_process(url: str, rounds: int = 60) -> list[tuple[str, float]]:
    """CPU milliseconds per request (median) through the test client, one at a time."""
    from bench.wsgi_bench import make_app
    from forum.app import freeze_startup_heap

    token = make_token(url)
    app = make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    freeze_startup_heap()
    client = app.test_client()
    client.post("/login", data={"email": http_bench.BENCH_EMAIL,
                                "password": http_bench.PASSWORD})
    anonymous = app.test_client()
    results = []
    for name, path, headers in targets("", token):
        user = client if "Cookie" in headers else anonymous
        headers = {k: v for k, v in headers.items() if k != "Cookie"}
        cpu = []
        for i in range(rounds + 5):
            started = time.process_time()
            assert user.get(path, headers=headers).status_code == 200, path
            if i >= 5:
                cpu.append((time.process_time() - started) * 1000)
        results.append((name, statistics.median(cpu)))
    return results


def report(results: list[tuple[str, dict]]) -> None:
    print(f"{'endpoint':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for name, r in results:
        print(f"{name:40} {r['rps']:9.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:6d}")
    for (page, p), (api, a) in zip(results[::2], results[1::2], strict=True):
        print(f"{api} / {page}: {a['rps'] / p['rps']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="reuse an existing bench database")
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        path = ROOT / "bench" / "data" / f"forum-{args.posts}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        url = f"sqlite:///{path}"
        if not (args.reuse and path.exists()):
            for old in path.parent.glob(path.name + "*"):
                old.unlink()
            http_bench.build(url, args.posts)
    elif not args.reuse:
        http_bench.build(url, args.posts)
    if args.in_process:
        print(f"\n{args.posts:,} posts on {url.split(':')[0]}: CPU ms per request (median)")
        results = in_process(url)
        for name, cpu in results:
            print(f"{name:40} {cpu:8.2f}")
        for (page, p), (api, a) in zip(results[::2], results[1::2], strict=True):
            print(f"{api} / {page}: {p / a:.2f}x less CPU")
        return
    print(f"\n{args.posts:,} posts on {url.split(':')[0]}, {args.connections} connections, "
          f"{args.seconds} s each, median of {args.rounds} round(s), load average {os.getloadavg()[0]:.1f}")
    report(run(url, args.seconds, args.connections, args.rounds))


if __name__ == "__main__":
    main()
