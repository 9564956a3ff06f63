"""The production-like server for `make run` and the benchmarks: Flask-SocketIO under gevent.

Run as `python serve.py`. gevent must patch the standard library before anything else
is imported, so this module does that first.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve Rådslag with Socket.IO under gevent.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("FORUM_ASYNC_MODE", "gevent")
    os.environ.setdefault("FORUM_LOG_FORMAT", "json")

    from forum.app import create_app, freeze_startup_heap
    from forum.extensions import socketio

    app = create_app()
    freeze_startup_heap()
    socketio.run(app, host=args.host, port=args.port, log_output=False)


if __name__ == "__main__":
    main()
