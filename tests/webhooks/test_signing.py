"""The signature receivers check: HMAC-SHA256 over timestamp, dot, body."""
from __future__ import annotations

import hashlib
import hmac
import time

from forum.services.webhooks import signing


def test_the_header_is_hmac_of_timestamp_dot_body():
    header = signing.header("s3cret-s3cret-s3cret", b'{"a":1}', timestamp=1700000000)
    expected = hmac.new(b"s3cret-s3cret-s3cret", b'1700000000.{"a":1}', hashlib.sha256)
    assert header == f"t=1700000000,v1={expected.hexdigest()}"


def test_verify_accepts_the_signed_body_only():
    now = int(time.time())
    header = signing.header("key-key-key-key-key", b"body", timestamp=now)
    assert signing.verify("key-key-key-key-key", header, b"body")
    assert not signing.verify("key-key-key-key-key", header, b"body!")
    assert not signing.verify("another-key-entirely", header, b"body")
    assert not signing.verify("key-key-key-key-key", "t=abc,v1=00", b"body")
    assert not signing.verify("key-key-key-key-key", "", b"body")


def test_verify_refuses_an_old_timestamp():
    old = int(time.time()) - 3600
    header = signing.header("key-key-key-key-key", b"body", timestamp=old)
    assert not signing.verify("key-key-key-key-key", header, b"body")
