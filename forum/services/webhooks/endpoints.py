"""What admins do with webhooks: register, change and remove endpoints, read their delivery
history and send a delivery again. The pages and the API both call these."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from forum.exceptions import InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from forum.permissions import Action, require
from forum.services.webhooks import addresses, delivery
from forum.services.webhooks.events import KINDS

MIN_SECRET, MAX_SECRET = 16, 200


@dataclass
class EndpointData:
    url: str
    kinds: list[str]
    description: str = ""
    secret: str | None = None  # None or empty: keep the current one (a new endpoint gets one)
    active: bool = True


def _clean(data: EndpointData) -> dict:
    errors = {}
    url = (data.url or "").strip()
    try:
        addresses.resolve(url)
    except addresses.Refused as refused:
        errors["url"] = str(refused)
    kinds = list(dict.fromkeys(data.kinds or ()))
    if not kinds or any(k not in KINDS for k in kinds):
        errors["kinds"] = _("Choose at least one kind of event.")
    description = " ".join((data.description or "").split())
    if len(description) > 200:
        errors["description"] = _("At most %(n)d characters.", n=200)
    secret = (data.secret or "").strip()
    if secret and not MIN_SECRET <= len(secret) <= MAX_SECRET:
        errors["secret"] = _("A secret has %(low)d to %(high)d characters.", low=MIN_SECRET,
                             high=MAX_SECRET)
    if errors:
        raise InvalidInput(errors)
    return {"url": url, "kinds": kinds, "description": description, "secret": secret or None,
            "active": bool(data.active)}


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def create(actor: User, data: EndpointData) -> WebhookEndpoint:
    """Admins register an endpoint; its URL must resolve to public addresses only (or to a
    network FORUM_WEBHOOK_ALLOWED_NETWORKS trusts). Without a secret, one is made."""
    require(actor, Action.MANAGE_WEBHOOKS)
    fields = _clean(data)
    fields["secret"] = fields["secret"] or new_secret()
    endpoint = WebhookEndpoint(created_by_id=actor.id, **fields)
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def update(actor: User, endpoint_id: int, data: EndpointData) -> WebhookEndpoint:
    """Change an endpoint. Switching it on again clears its failing mark."""
    endpoint = get(actor, endpoint_id)
    fields = _clean(data)
    if not fields["secret"]:
        del fields["secret"]
    if fields["active"] and not endpoint.active:
        endpoint.failing_since = endpoint.failure_reason = None
    for name, value in fields.items():
        setattr(endpoint, name, value)
    db.session.commit()
    return endpoint


def remove(actor: User, endpoint_id: int) -> None:
    """Delete an endpoint with its delivery history; queued deliveries then do nothing."""
    endpoint = get(actor, endpoint_id)
    ids = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    db.session.execute(WebhookAttempt.__table__.delete().where(
        WebhookAttempt.delivery_id.in_(ids)))
    db.session.execute(WebhookDelivery.__table__.delete().where(
        WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.commit()


def get(actor: User, endpoint_id: int) -> WebhookEndpoint:
    require(actor, Action.MANAGE_WEBHOOKS)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(_("There is no such webhook endpoint."))
    return endpoint


def listing(actor: User, after: int = 0, limit: int = 100) -> list[WebhookEndpoint]:
    """Endpoints in the order they were made (`limit + 1` rows after id `after`)."""
    require(actor, Action.MANAGE_WEBHOOKS)
    return list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id > after)
                                   .order_by(WebhookEndpoint.id).limit(limit + 1)))


def counts(actor: User) -> dict[int, dict[str, int]]:
    """Per endpoint: deliveries by status."""
    require(actor, Action.MANAGE_WEBHOOKS)
    found: dict[int, dict[str, int]] = {}
    for endpoint_id, status, n in db.session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
            .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)):
        found.setdefault(endpoint_id, {})[status.value] = n
    return found


def deliveries(actor: User, endpoint_id: int, before: int | None = None, limit: int = 50
               ) -> list[WebhookDelivery]:
    """An endpoint's deliveries, newest first (`limit + 1` rows below id `before`)."""
    endpoint = get(actor, endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if before:
        query = query.where(WebhookDelivery.id < before)
    return list(db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit + 1)))


def attempts_of(rows: list[WebhookDelivery]) -> dict[int, list[WebhookAttempt]]:
    found: dict[int, list[WebhookAttempt]] = {row.id: [] for row in rows}
    if rows:
        for attempt in db.session.scalars(select(WebhookAttempt).where(
                WebhookAttempt.delivery_id.in_(found)).order_by(WebhookAttempt.id)):
            found[attempt.delivery_id].append(attempt)
    return found


def redeliver(actor: User, delivery_id: int, endpoint_id: int | None = None
              ) -> WebhookDelivery:
    """Send an event to its endpoint again, as a new delivery (the old one stays in the
    history), with a fresh day of retries."""
    require(actor, Action.MANAGE_WEBHOOKS)
    old = db.session.get(WebhookDelivery, delivery_id)
    if old is None or (endpoint_id is not None and old.endpoint_id != endpoint_id):
        raise NotFound(_("There is no such delivery."))
    row = WebhookDelivery(endpoint_id=old.endpoint_id, event_id=old.event_id,
                          resent_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    delivery.queue(row)
    db.session.commit()
    return row
