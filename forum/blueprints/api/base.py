"""What every API resource shares: the OpenAPI document (flask-smorest), the blueprint
class each resource module makes one of, and the hooks on every API response (media type
of bodies, ETag and conditional GET, caching headers)."""
from __future__ import annotations

import hashlib
import http

import flask_smorest
from flask import request
from flask_babel import gettext as _
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter

from forum.blueprints.api import auth
from forum.blueprints.api.problems import PROBLEM_JSON, ApiProblem
from forum.models.accounts import Scope

PREFIX = "/api/v1"
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
BODY_METHODS = {"POST", "PUT", "PATCH"}


class OpenApi(flask_smorest.Api):
    """flask-smorest's Api, without its error handlers (forum.errors answers every error
    under /api/ as problem+json) and with errors documented as problem+json."""

    ERROR_SCHEMA = "Problem"

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            if 400 <= status < 600:
                response = {"description": status.phrase, "schema": self.ERROR_SCHEMA}
                prepare_response(response, self.spec, PROBLEM_JSON)
                self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (RFC 9457 problem)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class IdConverter(IntegerConverter):
    """`<id:name>`: a whole number that fits an id column (a larger one is simply not found)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        super().__init__(url_map, max=MAX_ID)


ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_ID}


class ApiBlueprint(flask_smorest.Blueprint):
    """One resource of the API: a tag in the document, routes under /api/v1."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(name, __name__, url_prefix=PREFIX, description=description)
        self.before_request(_check_media_type)
        self.after_request(_conditional)

    def reads(self, view=None, *, signed_in: bool = False):
        """A read: `read` scope with a token; public content also without one."""
        def decorate(fn):
            security = [{"bearer": ["read"]}] if signed_in else [{}, {"bearer": ["read"]}]
            return self.doc(security=security)(auth.needs(Scope.READ, signed_in=signed_in)(fn))
        return decorate(view) if view is not None else decorate

    def writes(self, view):
        """A member's write: a token with the `write` scope."""
        return self.doc(security=[{"bearer": ["write"]}])(auth.needs(Scope.WRITE)(view))

    def moderates(self, view):
        """A moderator's action: a token with the `moderate` scope."""
        return self.doc(security=[{"bearer": ["moderate"]}])(auth.needs(Scope.MODERATE)(view))


def _check_media_type() -> None:
    """Bodies are JSON: a body of another media type gets 415 (an empty body passes)."""
    if request.method not in BODY_METHODS or not (request.content_length or request.data):
        return
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiProblem("unsupported-media-type",
                         _("Send the body as JSON with 'Content-Type: application/json'."))


def _conditional(response):
    """Every JSON answer to a GET gets a strong ETag from its body; an If-None-Match that
    matches gets 304 Not Modified without a body. Answers depend on the token's member and
    language, so caches must keep them apart and revalidate."""
    response.vary.update(("Authorization", "Accept-Language"))
    if request.method in ("GET", "HEAD") and response.status_code == 200 \
            and response.mimetype == "application/json":
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        response.headers.setdefault("Cache-Control", "private, no-cache")
        response.make_conditional(request)
    return response
