"""Where a webhook may be sent: only to public addresses, unless FORUM_WEBHOOK_ALLOWED_NETWORKS
names the private networks an operator trusts. Checked when an endpoint is saved and again at
each delivery, on the very addresses the delivery then connects to (so a name that resolves
to a public address at registration and to 127.0.0.1 later, DNS rebinding, is refused)."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

MAX_URL_CHARS = 2000


class Refused(Exception):
    """A URL that must not be called; the message says why (shown to admins)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name, for the Host header and TLS
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # every address the name resolved to, all allowed


def parse(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of an http(s) URL, or Refused."""
    if not url or len(url) > MAX_URL_CHARS:
        raise Refused(_("Give an address of at most %(n)d characters.", n=MAX_URL_CHARS))
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused(_("This is not a valid web address.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(_("Use an http:// or https:// address."))
    if parts.username or parts.password:
        raise Refused(_("Put no user name or password in the address; the signature "
                        "proves who sends."))
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def resolve(url: str) -> Target:
    """The URL's target with its addresses, each checked; Refused otherwise."""
    scheme, host, port, path = parse(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused(_("The name %(host)s cannot be resolved.", host=host)) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    for address in addresses:
        if not allowed(address):
            raise Refused(_("%(host)s resolves to %(address)s, a private, loopback or "
                            "link-local address; webhooks only go to public addresses.",
                            host=host, address=address))
    if not addresses:
        raise Refused(_("The name %(host)s cannot be resolved.", host=host))
    return Target(scheme, host, port, path, addresses)


def allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip in net for net in _trusted_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    spec = current_app.config.get("WEBHOOK_ALLOWED_NETWORKS") or ""
    return [ipaddress.ip_network(n, strict=False) for n in spec.replace(",", " ").split()]
