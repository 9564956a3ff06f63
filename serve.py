"""The production-like server for `make run` and the benchmarks: Flask-SocketIO under gevent.

Run as `python serve.py`. gevent must patch the standard library before anything else
is imported, so this module does that first. The server is `forum.serving.make_server`
(gevent's WSGI server, with websocket connections closed properly). `--with-worker` also runs
a job worker (`flask --app wsgi forum worker`) for as long as the server runs, as `make run` does.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve Rådslag with Socket.IO under gevent.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--with-worker", action="store_true",
                        help="Also run a background-job worker, stopped with the server.")
    args = parser.parse_args()
    os.environ.setdefault("FORUM_ASYNC_MODE", "gevent")
    os.environ.setdefault("FORUM_LOG_FORMAT", "json")

    import gevent

    from forum.app import create_app, freeze_startup_heap
    from forum.extensions import socketio
    from forum.serving import drain, make_server

    app = create_app()
    mode = socketio.server.eio.async_mode
    if mode != "gevent":
        parser.error(f"FORUM_ASYNC_MODE must be gevent under serve.py, not {mode}")
    worker = start_worker() if args.with_worker else None
    freeze_startup_heap()
    server = make_server(app, args.host, args.port)
    # SIGTERM (what `make cluster-stop`, a rolling restart and process managers send): finish
    # the HTTP requests in hand, close the sockets (clients reconnect elsewhere), then exit.
    gevent.signal_handler(signal.SIGTERM, lambda: gevent.spawn(
        drain, server, socketio.server.eio))
    try:
        server.serve_forever()
    finally:
        if worker is not None:
            stop_worker(worker, app.config["JOBS_SHUTDOWN_TIMEOUT"] + 5)


def start_worker() -> subprocess.Popen:
    """The worker in a session of its own, so Ctrl-C reaches only the server, which then
    stops the worker gracefully; if the server dies outright, the worker notices and stops."""
    env = {**os.environ, "FORUM_ASYNC_MODE": "threading"}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "forum", "worker",
         "--stop-with", str(os.getpid())], cwd=ROOT, env=env, start_new_session=True)


def stop_worker(worker: subprocess.Popen, timeout: float) -> None:
    worker.terminate()  # SIGTERM: the running jobs finish first
    try:
        worker.wait(timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


if __name__ == "__main__":
    main()
