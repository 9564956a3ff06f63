"""Start, stop and restart a Rådslag cluster on this machine: HAProxy in front, N gevent
server processes (serve.py), the job worker, against the PostgreSQL and Redis named in one
environment file. `make cluster` and `make cluster-stop` run it; the cluster tests drive the
same class.

    python deploy/cluster.py start   [--env FILE]   # migrate, start servers, worker, HAProxy
    python deploy/cluster.py stop    [--env FILE]   # end what start began (by pid files)
    python deploy/cluster.py restart [--env FILE]   # rolling restart, one server at a time
    python deploy/cluster.py status  [--env FILE]

Every process it starts is recorded in a pid file in RADSLAG_RUN_DIR; `stop` ends only the
processes named there (after checking each pid still runs the command it started)."""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
EXAMPLE_ENV = DEPLOY / "radslag.env.example"


def read_env(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and # comments are skipped; no shell expansion."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().strip("'\"")
    return env


def make_env_file(path: Path) -> None:
    """The example, with a fresh secret key, when `path` does not exist yet."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE_ENV.read_text().replace("FORUM_SECRET_KEY=change-me",
                                           f"FORUM_SECRET_KEY={secrets.token_urlsafe(32)}")
    path.write_text(text)
    path.chmod(0o600)


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy")
                                        .exists() else None)
    if found is None:
        raise SystemExit("HAProxy is not installed: apt-get install haproxy (see README)")
    return found


class Cluster:
    """One cluster: its settings (the environment file's values) and its run folder."""

    def __init__(self, env: dict[str, str], *, python: str = sys.executable) -> None:
        self.env = env
        self.python = python
        self.run_dir = Path(env.get("RADSLAG_RUN_DIR", "instance/cluster"))
        if not self.run_dir.is_absolute():
            self.run_dir = ROOT / self.run_dir
        self.count = int(env.get("RADSLAG_SERVERS", "3"))
        self.first_port = int(env.get("RADSLAG_FIRST_PORT", "5101"))
        self.lb_address = env.get("RADSLAG_LB_ADDRESS", "127.0.0.1:8080")

    # --- addresses -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.lb_address}"

    def port(self, n: int) -> int:
        """The port of server n (1 ... count)."""
        return self.first_port + n - 1

    def server_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port(n)}"

    def cookie(self, n: int) -> str:
        """The SERVERID cookie that keeps a client on server n."""
        return f"SERVERID=s{n}"

    # --- processes -------------------------------------------------------------------------

    def process_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
        env.update(self.env)
        env["RADSLAG_RUN_DIR"] = str(self.run_dir)
        env.setdefault("FORUM_JOBS_SQLITE_PATH", str(self.run_dir / "jobs.sqlite3"))
        return env

    def _pidfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def _spawn(self, name: str, command: list[str], env: dict | None = None) -> int:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(command, cwd=ROOT, env=env or self.process_env(),
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True)
        log.close()
        self._pidfile(name).write_text(str(proc.pid))
        self._children = getattr(self, "_children", {})
        self._children[proc.pid] = proc  # reaped when it ends, so a dead pid is really gone
        return proc.pid

    def pid(self, name: str) -> int | None:
        """The pid recorded for `name`, if that process still runs what we started."""
        try:
            pid = int(self._pidfile(name).read_text())
        except (OSError, ValueError):
            return None
        proc = getattr(self, "_children", {}).get(pid)
        if proc is not None:  # started by this very object: ask (and reap) the child itself
            return pid if proc.poll() is None else None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return None
        expected = {"haproxy": "haproxy", "worker": "worker"}.get(name, "serve.py")
        return pid if expected in cmdline else None

    def _stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        pid = self.pid(name)
        if pid is not None:
            os.kill(pid, sig)
            deadline = time.monotonic() + timeout
            while self.pid(name) is not None and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.pid(name) is not None:
                os.kill(pid, signal.SIGKILL)
                while self.pid(name) is not None:
                    time.sleep(0.05)
        self._pidfile(name).unlink(missing_ok=True)

    def start_server(self, n: int, *, wait: bool = True) -> None:
        self._spawn(f"server-{n}", [self.python, str(ROOT / "serve.py"), "--host", "127.0.0.1",
                                    "--port", str(self.port(n))])
        if wait:
            self.wait_healthy(n)

    def stop_server(self, n: int) -> None:
        """SIGTERM: the server finishes its HTTP requests and closes its sockets (serve.py)."""
        self._stop(f"server-{n}")

    def kill_server(self, n: int) -> None:
        """SIGKILL: nothing is closed or finished."""
        self._stop(f"server-{n}", signal.SIGKILL, timeout=10)

    def wait_healthy(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid(f"server-{n}") is None:
                raise RuntimeError(f"server {n} exited:\n{self.log_tail(f'server-{n}')}")
            try:
                with urllib.request.urlopen(self.server_url(n) + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server {n} not healthy:\n{self.log_tail(f'server-{n}')}")

    def log_tail(self, name: str, chars: int = 3000) -> str:
        try:
            return (self.run_dir / f"{name}.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def write_backend(self) -> Path:
        lines = ["# Written by deploy/cluster.py: one line per server process.",
                 "backend radslag"]
        lines += [f"    server s{n} 127.0.0.1:{self.port(n)} cookie s{n} check"
                  for n in range(1, self.count + 1)]
        path = self.run_dir / "servers.cfg"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start_haproxy(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        backend = self.write_backend()
        command = [haproxy_binary(), "-f", str(DEPLOY / "haproxy.cfg"), "-f", str(backend),
                   "-db"]  # in the foreground: its pid is the one we record
        check = subprocess.run([*command[:-1], "-c", "-q"], env=self.process_env(),
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("HAProxy refused the configuration:\n" + check.stdout +
                               check.stderr)
        self._spawn("haproxy", command)
        host, port = self.lb_address.rsplit(":", 1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.pid("haproxy") is not None:
            # Up when both its port and its runtime socket answer: on a busy machine the
            # port can take connections a moment before the runtime socket does.
            try:
                with socket.create_connection((host, int(port)), timeout=0.5):
                    pass
                self.haproxy("show info")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("HAProxy did not start:\n" + self.log_tail("haproxy"))

    def start_worker(self) -> None:
        env = {**self.process_env(), "FORUM_ASYNC_MODE": "threading"}
        self._spawn("worker", [self.python, "-m", "flask", "--app", "wsgi", "forum", "worker",
                               "--threads", "2"], env)

    def flask(self, *args: str) -> None:
        env = {**self.process_env(), "FORUM_ASYNC_MODE": "threading"}
        subprocess.run([self.python, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                       env=env, check=True)

    def create_database(self) -> None:
        """The PostgreSQL database of FORUM_DATABASE_URL, when it does not exist yet."""
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        url = make_url(self.env["FORUM_DATABASE_URL"])
        if url.get_backend_name() != "postgresql":
            return
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                               {"n": url.database}):
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()

    def start(self, *, migrate: bool = True, seed: bool = True) -> None:
        self.create_database()
        if migrate:
            self.flask("db", "upgrade")
        if seed:
            self.flask("forum", "seed", "--demo", "--if-empty")
        for n in range(1, self.count + 1):
            self.start_server(n, wait=False)
        for n in range(1, self.count + 1):
            self.wait_healthy(n)
        if self.env.get("RADSLAG_WORKER", "1") not in ("0", "no", "false"):
            self.start_worker()
        self.start_haproxy()
        self.wait_all_up()

    def stop(self) -> None:
        self._stop("haproxy")
        for n in range(1, self.count + 1):
            self._stop(f"server-{n}")
        self._stop("worker", timeout=40)  # a running job gets its 30 s

    # --- HAProxy's runtime API -------------------------------------------------------------

    def haproxy(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.run_dir / "haproxy.sock"))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self) -> dict[str, dict[str, str]]:
        """HAProxy's view of each server: status (UP, DOWN, MAINT) and scur (open sessions)."""
        lines = self.haproxy("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: r for r in rows if r.get("pxname") == "radslag"
                and r["svname"] not in ("BACKEND", "FRONTEND")}

    def wait_state(self, n: int, state: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stats().get(f"s{n}", {}).get("status", "").startswith(state):
                return
            time.sleep(0.1)
        raise RuntimeError(f"server {n} did not become {state}: {self.stats().get(f's{n}')}")

    def wait_all_up(self) -> None:
        for n in range(1, self.count + 1):
            self.wait_state(n, "UP")

    def restart_server(self, n: int) -> None:
        """Take server n out of HAProxy (no new requests), stop it gracefully (it answers
        what it holds and closes its sockets), start it again and put it back."""
        self.haproxy(f"set server radslag/s{n} state maint")
        self.stop_server(n)
        self.start_server(n)
        self.haproxy(f"set server radslag/s{n} state ready")
        self.wait_state(n, "UP")

    def rolling_restart(self) -> None:
        for n in range(1, self.count + 1):
            self.restart_server(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("start", "stop", "restart", "status"))
    parser.add_argument("--env", default=os.environ.get("CLUSTER_ENV", "instance/cluster.env"),
                        help="the environment file (made from deploy/radslag.env.example)")
    args = parser.parse_args()
    env_path = Path(args.env)
    if not env_path.is_absolute():
        env_path = ROOT / env_path
    make_env_file(env_path)
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() \
        else sys.executable
    cluster = Cluster(read_env(env_path), python=python)
    if args.command == "start":
        if cluster.pid("haproxy") is not None:
            raise SystemExit("The cluster runs already (make cluster-stop first).")
        try:
            cluster.start()
        except Exception:
            cluster.stop()
            raise
        print(f"Rådslag on {cluster.url}: HAProxy, {cluster.count} servers (ports "
              f"{cluster.port(1)}-{cluster.port(cluster.count)}), a worker; logs and pid files "
              f"in {cluster.run_dir}")
    elif args.command == "stop":
        cluster.stop()
        print("Cluster stopped.")
    elif args.command == "restart":
        cluster.rolling_restart()
        print("Every server restarted, one at a time.")
    else:
        for name in ["haproxy", "worker", *(f"server-{n}" for n in range(1, cluster.count + 1))]:
            print(f"{name}: {cluster.pid(name) or 'not running'}")
        if cluster.pid("haproxy"):
            for name, row in cluster.stats().items():
                print(f"  {name}: {row['status']}, {row['scur']} open sessions")


if __name__ == "__main__":
    main()
