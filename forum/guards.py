"""Requests refused before any view runs, each with a clear 4xx: a body in a form the site's
pages never send (415). Oversized bodies get 413 (MAX_CONTENT_LENGTH, forum/config.py) and
ids larger than any row get 404 (forum/ids.py)."""
from __future__ import annotations

from flask import Flask, abort, request

from forum.ids import BoundedIntegerConverter

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
OWN_RULES = ("/api/",)  # the JSON API decides about its bodies itself (JSON, its own 415)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_foreign_bodies)


def refuse_foreign_bodies() -> None:
    """Pages post forms; a body of another type (JSON, XML, plain text) gets 415. The JSON API
    (/api/) checks its own bodies."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith(OWN_RULES):
        return
    if not request.content_length and not request.mimetype:
        return  # no body at all
    if request.mimetype not in FORM_TYPES:
        abort(415)
