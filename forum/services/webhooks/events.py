"""The event kinds and `emit`: the one seam other services call when something happens."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from forum.extensions import db
from forum.models.webhooks import WebhookDelivery, WebhookEvent
from forum.services.webhooks import listeners

KINDS = {
    "post.created": _l("A post is published"),
    "thread.created": _l("A thread is started"),
    "flag.decided": _l("A moderator decides on flags"),
    "live_session.started": _l("A live session starts"),
    "live_session.ended": _l("A live session ends"),
    "proposal.closed": _l("A proposal is closed"),
    "commitment.changed": _l("A commitment is recorded or its status changes"),
}

Payload = dict[str, Any] | Callable[[], dict[str, Any]]


def emit(kind: str, payload: Payload) -> None:
    """Record that `kind` happened, in the caller's transaction (the caller commits): one
    event row and one delivery per active endpoint that listens for it. Each delivery is
    queued as its own job, handed to the queue only once the transaction commits (and
    dropped with a rollback). `payload` may be a function, called only if someone listens."""
    if kind not in KINDS:
        raise ValueError(f"unknown webhook event kind {kind!r}")
    listening = listeners.listeners().for_kind(kind)  # no query while nothing changed
    if not listening:
        return
    event = WebhookEvent(kind=kind, payload=payload() if callable(payload) else payload)
    db.session.add(event)
    db.session.flush()
    deliveries = [WebhookDelivery(endpoint_id=endpoint_id, event_id=event.id)
                  for endpoint_id in listening]
    db.session.add_all(deliveries)
    db.session.flush()
    from forum.services.webhooks import delivery  # noqa: PLC0415 - the job module imports this one

    for row in deliveries:
        delivery.queue(row)
