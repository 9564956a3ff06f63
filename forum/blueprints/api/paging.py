"""Cursor pagination: lists are walked in a fixed order of a unique key (an id or a
position), so rows added meanwhile are neither skipped nor repeated. The cursor is the last
key of a page, signed and bound to its list, so a client can neither forge one nor use it on
another list. Pages may hold fewer than `limit` items (rows the caller may not see are left
out); `next` is null only on the last page."""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import Schema, fields, validate

from forum.exceptions import InvalidInput

DEFAULT_LIMIT, MAX_LIMIT = 20, 100


class PageArgs(Schema):
    """The query of every list."""

    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT),
                           metadata={"description": "Items per page (1-100)."})
    cursor = fields.String(load_default=None, validate=validate.Length(max=500),
                           metadata={"description": "The `next` cursor of the previous page."})


def _signer() -> URLSafeSerializer:
    return _signer_for(current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=4)
def _signer_for(secret_key) -> URLSafeSerializer:
    # Built once per key: building one costs about half as much again as checking a cursor.
    return URLSafeSerializer(secret_key, salt="api-cursor")


def after(list_id: str, cursor: str | None, default: Any = None) -> Any:
    """The key a page starts after: from a cursor made for this very list, else `default`."""
    if not cursor:
        return default
    try:
        bound, key = _signer().loads(cursor)
    except (BadSignature, ValueError, TypeError):
        bound, key = None, None
    if bound != list_id:
        raise InvalidInput({"cursor": _("This cursor is not valid for this list.")},
                           code="bad_cursor")
    return key


@dataclass
class Page:
    items: list
    next: str | None
    headers: dict = field(default_factory=dict)


def page(rows: Sequence, limit: int, list_id: str, key: Callable[[Any], Any],
         keep: Callable[[Any], bool] = lambda row: True, convert: Callable = lambda row: row,
         ) -> Page:
    """`rows` were fetched in key order, `limit + 1` at most. The extra row only says that
    there is a next page; the cursor is the key of the last row of this page (kept or not)."""
    shown = list(rows[:limit])
    items = [convert(row) for row in shown if keep(row)]
    next_url = None
    if len(rows) > limit and shown:
        cursor = _signer().dumps([list_id, key(shown[-1])])
        args = {**request.view_args, **request.args.to_dict(), "cursor": cursor,
                "limit": limit}
        next_url = url_for(request.endpoint, _external=True, **args)
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return Page(items, next_url, headers)
