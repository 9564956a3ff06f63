"""Every error under /api/ as `application/problem+json` (RFC 9457): type, title, status,
detail, instance, plus `code` (the stable domain code) and, for invalid input, `errors`
naming each field. The domain errors of `forum.exceptions` are mapped here, once."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, json, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from forum.exceptions import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RateLimited
from forum.permissions.core import is_member

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: object  # a lazy string, translated when sent
    description: object


TYPES: dict[str, ProblemType] = {
    "bad-request": ProblemType(400, _l("Bad request"), _l(
        "The request could not be understood, for example a body that is not valid JSON.")),
    "unauthorized": ProblemType(401, _l("Authentication needed"), _l(
        "Send a personal access token as 'Authorization: Bearer ...'.")),
    "invalid-token": ProblemType(401, _l("Invalid access token"), _l(
        "The token is unknown, revoked, or its member's account is gone.")),
    "insufficient-scope": ProblemType(403, _l("Insufficient scope"), _l(
        "The token was not given the scope this operation needs (read, write or moderate).")),
    "forbidden": ProblemType(403, _l("Forbidden"), _l(
        "The forum's rules do not let this member do this.")),
    "not-found": ProblemType(404, _l("Not found"), _l(
        "There is no such resource, or it is not visible to this member.")),
    "method-not-allowed": ProblemType(405, _l("Method not allowed"), _l(
        "The resource exists but does not accept this method; see the Allow header.")),
    "conflict": ProblemType(409, _l("Conflict"), _l(
        "The resource is not in a state that allows this, or a request with the same "
        "Idempotency-Key is still being processed.")),
    "too-large": ProblemType(413, _l("Request too large"), _l(
        "The request body is larger than the server accepts.")),
    "unsupported-media-type": ProblemType(415, _l("Unsupported media type"), _l(
        "Request bodies must be JSON, sent as 'Content-Type: application/json'.")),
    "invalid": ProblemType(422, _l("Invalid input"), _l(
        "Some fields are missing or invalid; 'errors' names each of them.")),
    "idempotency-key-reused": ProblemType(422, _l("Idempotency key reused"), _l(
        "This Idempotency-Key was already used with a different request.")),
    "rate-limited": ProblemType(429, _l("Too many requests"), _l(
        "A rate limit was reached; Retry-After says how many seconds to wait.")),
    "internal": ProblemType(500, _l("Internal error"), _l(
        "Something went wrong on our side. The error has been logged.")),
}

# The domain errors, mapped once. Forbidden for a caller without a token becomes 401.
DOMAIN_TYPES: tuple[tuple[type[DomainError], str], ...] = (
    (InvalidInput, "invalid"),
    (NotFound, "not-found"),
    (Forbidden, "forbidden"),
    (Conflict, "conflict"),
    (RateLimited, "rate-limited"),
)

# Domain codes that have a problem type of their own.
CODE_TYPES = {"idempotency_key_reused": "idempotency-key-reused"}

HTTP_TYPES = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
              405: "method-not-allowed", 409: "conflict", 413: "too-large",
              415: "unsupported-media-type", 422: "invalid", 429: "rate-limited",
              500: "internal"}


class ApiProblem(HTTPException):
    """Raised by the API layer itself (authentication, scopes, media types, idempotency)."""

    def __init__(self, kind: str, detail: str = "", *, code: str | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.problem_code = kind, detail, code
        self.code = TYPES[kind].status
        self.extra_headers = headers or {}


DOCS_PAGE = "/api/v1/docs"  # an HTML page for people: the session, error pages as elsewhere


def in_api() -> bool:
    """Is this request for the API (token sign-in, problem+json errors)?"""
    return request.path.startswith("/api/") and request.path != DOCS_PAGE


def type_uri(kind: str) -> str:
    return url_for("api_meta.problem_type", kind=kind, _external=True)


def problem(kind: str, detail: str = "", *, status: int | None = None, code: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None,
            **extra) -> Response:
    """The problem+json response for one kind of problem."""
    known = TYPES[kind]
    body = {"type": type_uri(kind), "title": str(known.title), "status": status or known.status,
            "detail": detail or str(known.description), "instance": request.path,
            "code": code or kind.replace("-", "_"), **extra}
    if errors is not None:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=body["status"],
                                          mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    if body["status"] == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="radslag"')
    return response


def for_domain_error(err: DomainError) -> Response:
    kind = CODE_TYPES.get(err.code) or next(
        (k for cls, k in DOMAIN_TYPES if isinstance(err, cls)), None)
    if kind is None:
        return problem(HTTP_TYPES.get(err.status, "bad-request"), err.message, code=err.code)
    if kind == "forbidden" and not is_member(_caller()):
        return problem("unauthorized", err.message, code="unauthorized")
    if isinstance(err, InvalidInput):
        errors = [{"field": name, "detail": str(msg), **({"pointer": f"#/{name}"} if name else {})}
                  for name, msg in err.fields.items()]
        return problem(kind, err.message, code=err.code, errors=errors)
    if isinstance(err, RateLimited):
        return problem(kind, err.message, code=err.code, retry_after=err.retry_after,
                       headers={"Retry-After": str(err.retry_after)})
    return problem(kind, err.message, code=err.code)


def for_http_error(err: HTTPException, retry_after: int | None = None) -> Response:
    if isinstance(err, ApiProblem):
        return problem(err.kind, err.detail, code=err.problem_code, headers=err.extra_headers)
    status = err.code or 500
    kind = HTTP_TYPES.get(status, "bad-request" if status < 500 else "internal")
    headers = {}
    if status == 405 and getattr(err, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(err.valid_methods))
    if status == 429:
        wait = retry_after or 60
        return problem(kind, _("Too many requests. Please wait %(seconds)s seconds and try "
                               "again.", seconds=wait), retry_after=wait,
                       headers={"Retry-After": str(wait)})
    messages = (getattr(err, "data", None) or {}).get("messages")
    if status == 422 and messages:
        return problem(kind, _("Some fields are missing or invalid."),
                       errors=validation_errors(messages))
    if status == 400 and messages:
        return problem(kind, _("The body is not valid JSON."), code="malformed_json")
    return problem(kind, status=status if kind == "bad-request" else None, headers=headers)


def validation_errors(messages: dict) -> list[dict]:
    """webargs' {"json": {"body": ["..."]}, "query": {...}} as one flat list, each entry
    naming its field (nested fields joined with dots) and, in a JSON body, its pointer."""
    found: list[dict] = []

    def walk(location: str, path: list[str], value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(location, path + [str(key)], inner)
            return
        for message in value if isinstance(value, list) else [value]:
            if isinstance(message, dict):
                walk(location, path, message)
                continue
            field = ".".join(p for p in path if p != "_schema")
            entry = {"location": location, "field": field, "detail": str(message)}
            if location == "json":
                entry["pointer"] = "#/" + "/".join(p for p in path if p != "_schema")
            found.append(entry)

    for location, fields in messages.items():
        walk(location, [], fields)
    return found


def internal() -> Response:
    return problem("internal")


def _caller():
    from flask_login import current_user  # noqa: PLC0415 - the proxy, resolved per request

    return current_user
