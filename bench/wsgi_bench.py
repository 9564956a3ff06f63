"""The WSGI apps the HTTP benchmark serves: the real app on the bench database, plus one
constant route (`/_bench/ceiling`) that measures what the app's own request handling costs
around nothing; and `bare`, a Flask app with only a constant route, which measures what
Flask under this server can serve at all."""
from __future__ import annotations

import os

from flask import Flask

from forum.app import create_app, freeze_startup_heap


def make_app(url: str):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-secret"),
        "RATELIMIT_ENABLED": False,
        "REDIS_URL": None,
        "PREMODERATION_POSTS": 0,
    })

    @app.get("/_bench/ceiling")
    def ceiling():
        return "ok"

    return app


def make_bare_app():
    bare_app = Flask("bare")

    @bare_app.get("/_bench/ceiling")
    def ceiling():
        return "ok"

    return bare_app


bare = make_bare_app()
app = make_app(os.environ["BENCH_DATABASE_URL"]) if os.environ.get("BENCH_DATABASE_URL") else None
freeze_startup_heap()  # as wsgi.py does: the real app and `bare` alike
