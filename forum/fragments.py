"""Rendered HTML of template fragments that depend only on the values they are given.

A thread page shows twenty posts, and most of each post (author line, time, body) reads the
same for every reader. `render_cached(name, key, **context)` renders a fragment once per key
and serves it from a bounded in-process LRU afterwards. The key must hold every value the
fragment reads (the caller builds it next to the template): then an edit, a moderator's
decision or a renamed author simply makes a new key, and nothing ever needs invalidating."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import current_app
from markupsafe import Markup


class FragmentCache:
    """A least-recently-used map of key → HTML, bounded by the total length of the HTML."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._entries: OrderedDict[Hashable, Markup] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Markup | None:
        with self._lock:
            html = self._entries.get(key)
            if html is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return html

    def put(self, key: Hashable, html: Markup) -> None:
        if len(html) > self.max_chars // 8:  # one huge post must not push out everything else
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._chars -= len(old)
            self._entries[key] = html
            self._chars += len(html)
            while self._chars > self.max_chars:
                _, dropped = self._entries.popitem(last=False)
                self._chars -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._entries)


def cache() -> FragmentCache:
    """This app's fragment cache (one per process; FRAGMENT_CACHE_CHARS = 0 turns it off)."""
    return current_app.extensions["forum.fragments"]


def render_cached(template: str, key: Hashable, **context) -> Markup:
    """The template rendered with `context`, from the cache when `key` was rendered before."""
    store = cache()
    full_key = (template, key)
    html = store.get(full_key) if store.max_chars else None
    if html is None:
        html = Markup(current_app.jinja_env.get_template(template).render(**context))
        if store.max_chars:
            store.put(full_key, html)
    return html


def init_app(app) -> None:
    app.extensions["forum.fragments"] = FragmentCache(int(app.config["FRAGMENT_CACHE_CHARS"]))
