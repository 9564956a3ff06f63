"""Error pages and JSON errors: one handler per kind, in the layout, in the user's language."""
from __future__ import annotations

import time

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from forum import logs
from forum.exceptions import DomainError, RateLimited
from forum.extensions import db

PAGES = {400, 403, 404, 405, 413, 415, 429, 500}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and (
        request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def default_message(status: int) -> str:
    return {
        400: _("The request could not be understood."),
        403: _("You do not have permission to do that."),
        404: _("The page could not be found."),
        405: _("That method is not allowed here."),
        413: _("What you sent is too large: at most %(size)s KB is accepted.",
               size=current_app.config["MAX_CONTENT_LENGTH"] // 1024),
        415: _("This page accepts only what its own forms send."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }.get(status, _("Something went wrong."))


def error_response(status: int, code: str, message: str, retry_after: int | None = None):
    if wants_json():
        body = {"ok": False, "error": {"code": code, "message": message,
                                       "request_id": logs.request_id()}}
        if retry_after:
            body["error"]["retry_after"] = retry_after
        response = jsonify(body)
    else:
        template = f"errors/{status if status in PAGES else 400}.html"
        response = render_template(
            template, status=status, message=message, retry_after=retry_after, code=code
        )
    response = make_response(response)
    response.status_code = status
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def register(app: Flask) -> None:
    """Pages get error pages, JSON clients JSON; everything under /api/ gets problem+json."""
    from forum.blueprints.api import problems  # noqa: PLC0415 - the API's own error format

    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        if problems.in_api():
            db.session.rollback()  # nothing of a refused request stays, not even a key's claim
            return problems.for_domain_error(err)
        retry = err.retry_after if isinstance(err, RateLimited) else None
        return error_response(err.status, err.code, err.message or default_message(err.status), retry)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        status = err.code or 500
        retry = None
        if problems.in_api():
            db.session.rollback()
            return problems.for_http_error(err, _retry_after_seconds(err) if status == 429
                                           else None)
        if status == 429:
            retry = _retry_after_seconds(err)
            message = _wait_message(retry or 60)
        elif status in (400,) and err.description and "CSRF" in str(err.description):
            message = _("The form had expired or was not sent from this site. "
                        "Please reload the page and try again.")
        else:
            message = default_message(status)
        return error_response(status, err.name.lower().replace(" ", "_"), message, retry)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("Unhandled error")
        if problems.in_api():
            db.session.rollback()
            return problems.internal()
        return error_response(500, "internal", default_message(500))


def _wait_message(seconds: int) -> str:
    if seconds >= 120:
        return _("Too many attempts. Please wait about %(minutes)s minutes and try again.",
                 minutes=-(-seconds // 60))
    return _("Too many attempts. Please wait %(seconds)s seconds and try again.",
             seconds=seconds)


def _retry_after_seconds(err: HTTPException) -> int | None:
    """Seconds until the breached limit's window resets (not the window's full length)."""
    from forum.extensions import limiter

    try:
        current = limiter.current_limit
        if current is not None and current.breached:
            return max(1, int(current.reset_at - time.time()))
    except Exception:  # noqa: BLE001 - fall back to the response header or the window
        pass
    response = getattr(err, "response", None)
    header = response.headers.get("Retry-After") if response is not None else None
    if header and header.isdigit():
        return int(header)
    limit = getattr(err, "limit", None)
    try:
        return int(limit.limit.get_expiry()) if limit is not None else None
    except Exception:  # noqa: BLE001 - limiter internals differ between versions
        return None
