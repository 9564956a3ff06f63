"""GET /healthz for load balancers and monitoring: 200 when every service answers, else 503.
It needs no session, is never rate-limited, and says only "ok" or "down" per check."""
from __future__ import annotations

from flask import jsonify, request

from forum import health
from forum.blueprints.health import bp
from forum.extensions import limiter


@bp.get("/healthz")
@limiter.exempt
def check():
    results = health.run_checks()
    up = all(results.values())
    request.environ["forum.quiet"] = True  # probes come every few seconds: lines at DEBUG
    response = jsonify(status="ok" if up else "down",
                       checks={name: "ok" if ok else "down" for name, ok in results.items()})
    response.status_code = 200 if up else 503
    response.headers["Cache-Control"] = "no-store"
    return response
