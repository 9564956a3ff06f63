"""What we note about a browser that signs in: a device label from its User-Agent and the
network its address belongs to (a /24 for IPv4, a /48 for IPv6), never the address itself."""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from ua_parser import parse


@lru_cache(maxsize=512)
def device_label(user_agent: str | None) -> str:
    """"Firefox 128, Linux", "Mobile Safari 17, iOS"; "" when the string says nothing."""
    if not user_agent:
        return ""
    parsed = parse(user_agent[:500])
    parts = []
    if parsed.user_agent and parsed.user_agent.family != "Other":
        agent = parsed.user_agent
        parts.append(f"{agent.family} {agent.major}" if agent.major else agent.family)
    if parsed.os and parsed.os.family != "Other":
        parts.append(parsed.os.family)
    return ", ".join(parts)[:120]


def ip_prefix(address: str | None) -> str:
    """The network an address belongs to, e.g. "192.0.2.0/24"; "" if it is not an address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))
