"""The signature on every delivery: HMAC-SHA256, keyed with the endpoint's secret, over
the timestamp, a dot and the body, sent as `X-Radslag-Signature: t=<unix time>,v1=<hex>`."""
from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Radslag-Signature"
TOLERANCE = 300  # seconds a receiver should accept between our clock and its own


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE) -> bool:
    """What a receiver does (docs/webhooks.md shows the same in a few lines): the header's
    time is recent and one of its v1 signatures matches the body."""
    parts = [p.partition("=") for p in value.split(",")]
    stamps = [v for k, _s, v in parts if k.strip() == "t"]
    signatures = [v.strip() for k, _s, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not signatures:
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, s) for s in signatures)
