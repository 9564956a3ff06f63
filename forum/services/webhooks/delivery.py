"""Sending deliveries: each one is a job of its own, with short timeouts, so a slow or dead
receiver holds up nothing but its own job. Failed attempts are retried with doubling waits
for WEBHOOK_RETRY_SECONDS (a day); then the delivery fails and its endpoint is marked failing.
A periodic sweep queues deliveries whose job was lost (a queue that was down, a worker that
died), and a daily purge drops old history."""
from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from forum import jobs
from forum.extensions import db
from forum.models.base import utcnow
from forum.models.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from forum.services.webhooks import addresses, signing

CLAIM_SECONDS = 60  # an attempt's hold on its delivery; a worker that dies lets go after it
SWEEP_GRACE = timedelta(minutes=5)  # a delivery this late has lost its job
USER_AGENT = "Radslag-Webhooks/1"


def queue(row: WebhookDelivery, when: datetime | None = None) -> None:
    """Queue the next attempt of `row` (after the caller's commit)."""
    row.next_attempt_at = when or utcnow()
    if when is None:
        deliver.enqueue(row.id, row.attempts + 1)
    else:
        deliver.enqueue_at(when, row.id, row.attempts + 1)


def body_of(event: WebhookEvent) -> bytes:
    """The JSON a receiver gets: the same bytes for every delivery of the event."""
    return json.dumps({"id": event.id, "kind": event.kind,
                       "created_at": event.created_at.isoformat(), "data": event.payload},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


@jobs.task(retries=0)  # this job keeps its own schedule of retries
def deliver(delivery_id: int, attempt: int) -> None:
    """Make attempt number `attempt` of a delivery, unless that attempt was already made
    (a job queued twice) or the delivery is finished or held by another worker."""
    now = utcnow()
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.attempts == attempt - 1,
               WebhookDelivery.status == DeliveryStatus.PENDING,
               or_(WebhookDelivery.claimed_until.is_(None),
                   WebhookDelivery.claimed_until < now))
        .values(attempts=attempt, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if claimed != 1:
        return
    row = db.session.get(WebhookDelivery, delivery_id)
    if row is None:  # its endpoint was removed meanwhile
        return
    if not row.endpoint.active:
        _give_up(row, "The endpoint is switched off.")
        return
    url, secret, body = row.endpoint.url, row.endpoint.secret, body_of(row.event)
    headers = {"X-Radslag-Event": row.event.kind, "X-Radslag-Delivery": str(row.id)}
    db.session.rollback()  # no transaction stays open while the receiver answers
    result = send(url, secret, body, headers)
    _record(delivery_id, attempt, now, result)


@dataclass
class Result:
    code: int | None
    duration_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def send(url: str, secret: str, body: bytes, headers: dict[str, str]) -> Result:
    """POST `body`, signed, to `url`, connecting only to addresses that pass the check."""
    started = time.monotonic()

    def done(code: int | None, error: str | None) -> Result:
        return Result(code, int((time.monotonic() - started) * 1000), error)

    try:
        target = addresses.resolve(url)
    except addresses.Refused as refused:
        return done(None, str(refused))
    config = current_app.config
    conn = _connection(target, config["WEBHOOK_CONNECT_TIMEOUT"], config["WEBHOOK_READ_TIMEOUT"])
    all_headers = {"Host": _host_header(target), "User-Agent": USER_AGENT,
                   "Content-Type": "application/json", **headers,
                   signing.HEADER: signing.header(secret, body)}
    try:
        conn.request("POST", target.path, body=body, headers=all_headers)
        response = conn.getresponse()
        response.read(1024)  # enough to finish politely; the rest is not ours to wait for
        if 200 <= response.status < 300:
            return done(response.status, None)
        return done(response.status, f"HTTP {response.status} {response.reason}"[:500])
    except TimeoutError:
        return done(None, "timed out")
    except (OSError, http.client.HTTPException, ssl.SSLError) as err:
        return done(None, (f"{type(err).__name__}: {err}")[:500])
    finally:
        conn.close()


def _host_header(target: addresses.Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, not to whatever the name resolves to next."""

    def __init__(self, target: addresses.Target, connect_timeout: float, read_timeout: float,
                 **kwargs) -> None:
        super().__init__(target.host, target.port, timeout=read_timeout, **kwargs)
        self._target, self._connect_timeout = target, connect_timeout

    def connect(self) -> None:
        self.sock = _connect(self._target, self._connect_timeout, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: addresses.Target, connect_timeout: float, read_timeout: float
                 ) -> None:
        super().__init__(target.host, target.port, timeout=read_timeout,
                         context=ssl.create_default_context())
        self._target, self._connect_timeout = target, connect_timeout

    def connect(self) -> None:
        sock = _connect(self._target, self._connect_timeout, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._target.host)


def _connection(target, connect_timeout, read_timeout) -> http.client.HTTPConnection:
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    return kind(target, connect_timeout, read_timeout)


def _connect(target: addresses.Target, connect_timeout: float, read_timeout) -> socket.socket:
    last: OSError | None = None
    for address in target.addresses:
        try:
            sock = socket.create_connection((address, target.port), timeout=connect_timeout)
        except OSError as err:
            last = err
            continue
        sock.settimeout(read_timeout)
        return sock
    raise last or OSError("no address to connect to")


def _record(delivery_id: int, attempt: int, started_at: datetime, result: Result) -> None:
    """Keep the attempt; then finish the delivery, or queue its retry, or give it up."""
    row = db.session.get(WebhookDelivery, delivery_id)
    if row is None:
        return
    db.session.add(WebhookAttempt(delivery_id=delivery_id, number=attempt, started_at=started_at,
                                  response_code=result.code, duration_ms=result.duration_ms,
                                  error=result.error))
    row.response_code, row.duration_ms, row.error = result.code, result.duration_ms, result.error
    row.claimed_until = None
    endpoint = row.endpoint
    now = utcnow()
    if result.ok:
        row.status, row.completed_at, row.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        endpoint.failing_since = endpoint.failure_reason = None
    else:
        retry_at = now + timedelta(seconds=retry_delay(attempt))
        window = timedelta(seconds=current_app.config["WEBHOOK_RETRY_SECONDS"])
        if retry_at <= _aware(row.created_at) + window:
            queue(row, retry_at)
        else:
            row.status, row.completed_at, row.next_attempt_at = DeliveryStatus.FAILED, now, None
            endpoint.failing_since = endpoint.failing_since or now
            endpoint.failure_reason = (f"#{row.id}: {result.error}")[:500]
    db.session.commit()


def _give_up(row: WebhookDelivery, reason: str) -> None:
    """A delivery that will not be sent (its endpoint is off); the endpoint is not failing."""
    row.status, row.completed_at, row.next_attempt_at = DeliveryStatus.FAILED, utcnow(), None
    row.error, row.claimed_until = reason, None
    db.session.commit()


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt`: doubling, up to a maximum."""
    config = current_app.config
    return int(min(config["WEBHOOK_RETRY_DELAY"] * 2 ** (attempt - 1), config["WEBHOOK_MAX_DELAY"]))


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@jobs.periodic(jobs.crontab(minute="*/5"))
def sweep_lost_deliveries() -> int:
    """Queue again the pending deliveries whose attempt is long overdue (their job was lost)."""
    late = utcnow() - SWEEP_GRACE
    rows = list(db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at < late,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < late))
        .limit(500)))
    for row in rows:
        queue(row)
    db.session.commit()
    return len(rows)


@jobs.periodic(jobs.crontab(minute="41", hour="3"))
def purge_old_deliveries() -> int:
    """Forget deliveries (with their attempts) and events older than WEBHOOK_HISTORY_DAYS."""
    cutoff = utcnow() - timedelta(days=current_app.config["WEBHOOK_HISTORY_DAYS"])
    old = select(WebhookDelivery.id).where(WebhookDelivery.created_at < cutoff,
                                           WebhookDelivery.status != DeliveryStatus.PENDING)
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(old)))
    gone = db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(old))
                              .execution_options(synchronize_session=False)).rowcount
    db.session.execute(delete(WebhookEvent).where(
        WebhookEvent.created_at < cutoff,
        WebhookEvent.id.not_in(select(WebhookDelivery.event_id))))
    db.session.commit()
    return gone

