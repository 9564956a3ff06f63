"""The production-like server for `make run` and the benchmarks: Flask-SocketIO under gevent.

Run as `python serve.py`. gevent must patch the standard library before anything else
is imported, so this module does that first. The server itself is `forum.serving.make_server`
(gevent's WSGI server, with websocket connections closed properly).
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

    from forum.app import create_app, freeze_startup_heap
    from forum.extensions import socketio
    from forum.serving import make_server

    app = create_app()
    mode = socketio.server.eio.async_mode
    if mode != "gevent":
        parser.error(f"FORUM_ASYNC_MODE must be gevent under serve.py, not {mode}")
    freeze_startup_heap()
    make_server(app, args.host, args.port).serve_forever()


if __name__ == "__main__":
    main()
