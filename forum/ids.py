"""Whole numbers that arrive in URLs, query strings and forms (ids, page numbers), bounded to
what the database's integer columns hold: a larger one names nothing (404, or the default)
instead of reaching SQL, where SQLite cannot even bind it."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's `integer`, the type of every id column


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route: at most MAX_ID digits' worth, so `/threads/99…9` is 404."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def number(value: str) -> int:
    """For `request.args.get(..., type=ids.number)`: a whole number 0..MAX_ID, else ValueError
    (which `get` turns into its default)."""
    if not value.isdigit() or int(value) > MAX_ID:
        raise ValueError(value)
    return int(value)


def is_id(value) -> bool:
    """An id in a JSON payload (Socket.IO events): a whole number a row can have. Booleans,
    floats, strings and numbers past MAX_ID are not (SQLite cannot bind a huge one)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
