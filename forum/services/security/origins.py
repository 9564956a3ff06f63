"""Which pages may open a socket: browsers name the page's origin in `Origin`, and it must be
this forum's (FORUM_SITE_URL, or the address the request came to). Clients that are not
browsers send no `Origin`; they cannot ride on a member's cookies from another site."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def origin_allowed(origin: str | None, own_host_url: str) -> bool:
    """May a socket opened with this `Origin` header connect? (`own_host_url`: the address
    the request came to, used when FORUM_SITE_URL is not set.)"""
    if not origin:
        return True
    site = current_app.config.get("SITE_URL") or own_host_url
    return _origin_of(origin) == _origin_of(site)


def _origin_of(url: str) -> str:
    parts = urlsplit(url.strip().lower())
    try:
        port = parts.port
    except ValueError:  # not a port: matches nothing
        return "invalid:"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = parts.hostname or ""
    if port and port != default:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme}://{netloc}"
