"""The JSON API under /api/v1 (flask-smorest, OpenAPI 3.1 at /api/v1/openapi.json, docs at
/api/v1/docs). Each resource is a module with its own ApiBlueprint, listed in RESOURCES;
a later resource is one more module and one more entry."""
from __future__ import annotations

from flask import Flask

from forum import ratelimits
from forum.blueprints.api import auth, discussion, live, members, meta, moderation, rounds, search
from forum.blueprints.api.base import ID_SCHEMA, IdConverter, OpenApi
from forum.extensions import csrf

RESOURCES = (discussion.bp, moderation.bp, live.bp, members.bp, rounds.bp, search.bp, meta.bp)

DESCRIPTION = (
    "The JSON API of Rådslag. Read public content without a token; read as a member, write "
    "and moderate with a personal access token (Authorization: Bearer ...) that has the "
    "scope the operation lists. Errors are application/problem+json (RFC 9457). See "
    "docs/api.md in the source for pagination, ETags and idempotency.")


def register(app: Flask) -> None:
    """Bind the document, the resources, token sign-in (first of all request hooks, so the
    rate limiter sees the token's member), CSRF exemption, limits and CORS."""
    app.before_request_funcs.setdefault(None, []).insert(0, auth.authenticate)
    app.url_map.converters["id"] = IdConverter
    openapi = OpenApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    openapi.register_converter(IdConverter, lambda _converter: ID_SCHEMA)
    openapi.spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token (rds_...), made on the profile page or with "
                       "`flask forum create-token`."})
    for blueprint in RESOURCES:
        csrf.exempt(blueprint)  # no cookie is read under /api/: nothing to forge
        ratelimits.api_requests(blueprint)
        openapi.register_blueprint(blueprint)
    for blueprint in (meta.pages, app.blueprints["api-docs"]):
        ratelimits.api_requests(blueprint)
    app.register_blueprint(meta.pages)
    _cors(app)


def _cors(app: Flask) -> None:
    """Off unless FORUM_CORS_ORIGINS names origins; then only for /api/, without cookies."""
    origins = [o for o in app.config.get("CORS_ORIGINS", "").replace(",", " ").split() if o]
    if not origins:
        return
    from flask_cors import CORS  # noqa: PLC0415 - only where configured

    CORS(app, resources={r"/api/*": {"origins": origins}}, supports_credentials=False,
         allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"],
         expose_headers=["ETag", "Link", "Location", "Retry-After", "X-RateLimit-Limit",
                         "X-RateLimit-Remaining", "X-RateLimit-Reset", "Idempotent-Replayed"],
         max_age=600)
