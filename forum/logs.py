"""Structured logs: every record carries the id of the request (or of the Socket.IO connection)
it was written in, as JSON lines in production (FORUM_LOG_FORMAT=json, serve.py's default) or
as readable lines in development; one line per HTTP request; the id goes back to the client in
X-Request-ID and onto error pages.

What is logged is chosen so that no secret can reach it: the request line names the route
pattern (`/threads/<int:thread_id>`), never the path or query string someone typed, and
database errors carry no parameters (`hide_parameters`, forum/config.py)."""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")  # what nginx, uuids and we send
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s%(sid)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(sid)s"
_HANDLER_MARK = "_forum_handler"
access_log = logging.getLogger("forum.requests")


def request_id() -> str:
    """The id of the request being served ('' outside one): the proxy's, or one of ours."""
    if not has_request_context():
        return ""
    rid = request.environ.get("forum.request_id")  # the request's own (g can outlive it)
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.environ["forum.request_id"] = rid
    return rid


def socket_id() -> str:
    """The Socket.IO connection an event handler serves ('' in plain HTTP requests)."""
    return getattr(request, "sid", "") if has_request_context() else ""


class ContextFilter(logging.Filter):
    """Adds `request_id` and `sid` to every record (a socket event has a sid, not a request id:
    Flask-SocketIO runs no before_request, and one connection serves many events)."""

    def filter(self, record: logging.LogRecord) -> bool:
        sid = socket_id()
        record.sid = f"sid:{sid}" if sid else ""
        record.request_id = "" if sid else request_id()
        if not record.sid and not record.request_id:
            record.request_id = "-"
        return True


class DropWerkzeugRequestLines(logging.Filter):
    """The development server's own request lines show full paths and query strings; ours
    (one per request, by route) replace them. Its other messages stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.args, tuple) and len(record.args) == 3
                    and '"%s" %s %s' in str(record.msg))


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def formatter(kind: str) -> logging.Formatter:
    """`json`: one object per line; `text`: one readable line."""
    if kind == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                         "name": "logger"})
    if kind == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError("FORUM_LOG_FORMAT must be json or text")


def init_app(app: Flask) -> None:
    """One handler on the root logger per process (so library loggers get the same shape);
    building another app replaces its format rather than adding a second handler."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, _HANDLER_MARK, False)), None)
    if handler is None:
        handler = StderrHandler()
        setattr(handler, _HANDLER_MARK, True)
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
    handler.setFormatter(formatter(app.config["LOG_FORMAT"]))
    root.setLevel(app.config["LOG_LEVEL"])
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropWerkzeugRequestLines) for f in werkzeug.filters):
        werkzeug.addFilter(DropWerkzeugRequestLines())
    app.logger.removeHandler(default_handler)  # records reach ours through the root logger
    app.add_template_global(request_id)
    app.before_request(_start_request)
    app.after_request(_finish_request)


def _start_request() -> None:
    request.environ["forum.request_started"] = time.perf_counter()
    request_id()


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = request.environ.get("forum.request_started")
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    elapsed = round((time.perf_counter() - started) * 1000, 1) if started else None
    numbers = {k: v for k, v in (request.view_args or {}).items() if isinstance(v, int)}
    level = logging.DEBUG if request.environ.get("forum.quiet") else logging.INFO
    access_log.log(level, "%s %s %s %s ms", request.method, route, response.status_code, elapsed,
                   extra={"method": request.method, "route": route, "ids": numbers,
                          "status": response.status_code, "duration_ms": elapsed})
    return response
