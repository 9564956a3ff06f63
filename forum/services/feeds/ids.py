"""Stable identifiers for feeds and their entries, and the language feeds are titled in.

Ids are tag: URIs (RFC 4151) on the host of FORUM_BASE_URL, so they do not change with the
address a reader happened to use, and calendar UIDs are built from the same host."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

TAG_DATE = "2026"  # the year the scheme was minted; part of every id, never to change


def host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def tag(kind: str, key: object = "") -> str:
    """e.g. tag:forum.example.org,2026:post/42"""
    suffix = f"{kind}/{key}" if key != "" else kind
    return f"tag:{host()},{TAG_DATE}:{suffix}"


def session_uid(session_id: int) -> str:
    """The UID of a live session's event, the same in every calendar file and feed."""
    return f"live-{session_id}@{host()}"


def language() -> str:
    """Feeds are titled in the site's default language (they have no reader to ask)."""
    return current_app.config["BABEL_DEFAULT_LOCALE"]
