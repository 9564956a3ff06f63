"""The WSGI app the HTTP benchmark serves: the real app on the bench database, plus one
constant route (`/_bench/ceiling`) that measures what the stack itself can serve."""
from __future__ import annotations

import os

from forum import create_app


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


app = make_app(os.environ["BENCH_DATABASE_URL"]) if os.environ.get("BENCH_DATABASE_URL") else None
