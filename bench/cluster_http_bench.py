"""HTTP pages through the cluster: HAProxy and `--servers` serve.py processes (deploy/cluster.py)
on PostgreSQL with the demo forum, and a Redis server of the benchmark's own.

A signed-in demo member asks for the home page and a thread page from `--threads` client
threads for `--seconds` each, through HAProxy (round robin: each request on a new
connection without the stickiness cookie, so all processes serve). Prints requests/s, p50/p99
and the CPU time the server processes spent per page, which gives pages per second per core
(1 / CPU per page) without counting the load generator, which shares the machine.

    .venv/bin/python bench/cluster_http_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_http
"""
import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from fanout_bench import cpu_seconds, free_port, percentile  # noqa: E402

spec = importlib.util.spec_from_file_location("radslag_cluster", ROOT / "deploy" / "cluster.py")
cluster_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cluster_module)

DEMO_PASSWORD = "rådslag-demo-lösenord"  # noqa: S105 - the demo cast's published password


def fresh_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def sign_in(base: str) -> dict:
    browser = requests.Session()
    page = browser.get(base + "/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    answer = browser.post(base + "/login", allow_redirects=False, data={
        "csrf_token": token, "email": "sara@demo.radslag.test", "password": DEMO_PASSWORD})
    assert answer.status_code == 302, answer.status_code
    return {c.name: c.value for c in browser.cookies if c.name != "SERVERID"}


def load(url: str, cookies: dict, seconds: float, threads: int) -> tuple[list, list]:
    latencies, statuses = [], []

    def run() -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            start = time.perf_counter()
            status = requests.get(url, cookies=cookies, timeout=30).status_code
            latencies.append(time.perf_counter() - start)
            statuses.append(status)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to replace")
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    fresh_database(args.database_url)
    tmp = tempfile.mkdtemp(prefix="cluster-http-")
    redis_port = free_port()
    redis = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--bind",
                              "127.0.0.1", "--port", str(redis_port), "--save", "",
                              "--appendonly", "no", "--dir", tmp],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lb = free_port()
    cluster = cluster_module.Cluster({
        "FORUM_DATABASE_URL": args.database_url, "FORUM_SECRET_KEY": "bench",
        "FORUM_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "FORUM_ASYNC_MODE": "gevent",
        "FORUM_TRUSTED_PROXIES": "1", "RADSLAG_LB_ADDRESS": f"127.0.0.1:{lb}",
        "RADSLAG_SERVERS": str(args.servers), "RADSLAG_FIRST_PORT": str(free_port()),
        "RADSLAG_RUN_DIR": tmp, "RADSLAG_WORKER": "0"}, python=sys.executable)
    try:
        cluster.start()
        cookies = sign_in(cluster.url)
        thread = re.search(r'href="/threads/(\d+)', requests.get(cluster.url + "/",
                                                                  cookies=cookies).text).group(1)
        servers = [cluster.pid(f"server-{n}") for n in range(1, args.servers + 1)]
        print(f"{'page':12} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'server CPU ms/page':>19}"
              f" {'pages/s per core':>17} {'HAProxy ms':>10} errors")
        for name, path in (("home", "/"), ("thread", f"/threads/{thread}")):
            load(cluster.url + path, cookies, 2, args.threads)  # warm the caches
            before = cpu_seconds(servers), cpu_seconds([cluster.pid("haproxy")])
            start = time.time()
            latencies, statuses = load(cluster.url + path, cookies, args.seconds, args.threads)
            elapsed = time.time() - start
            cpu = cpu_seconds(servers) - before[0]
            lb_cpu = cpu_seconds([cluster.pid("haproxy")]) - before[1]
            per_page = 1000 * cpu / len(latencies)
            errors = sum(1 for s in statuses if s != 200)
            print(f"{name:12} {len(latencies) / elapsed:7.0f} {percentile(latencies, 50):7.1f} "
                  f"{percentile(latencies, 99):7.1f} {per_page:19.2f} {1000 / per_page:17.0f} "
                  f"{1000 * lb_cpu / len(latencies):10.3f} {errors}", flush=True)
    finally:
        cluster.stop()
        redis.terminate()
        redis.wait(10)


if __name__ == "__main__":
    main()
