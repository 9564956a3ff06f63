"""Webhook endpoints and their deliveries (admins)."""
from __future__ import annotations

from marshmallow import fields, validate

from forum.blueprints.api.schemas.common import link, page_of
from forum.blueprints.api.schemas.fast import FastSchema
from forum.models.webhooks import DeliveryStatus
from forum.services.webhooks import KINDS
from forum.services.webhooks.addresses import MAX_URL_CHARS
from forum.services.webhooks.endpoints import MAX_SECRET, MIN_SECRET

KIND_NAMES = list(KINDS)
SECRET = validate.Length(min=MIN_SECRET, max=MAX_SECRET)


class Endpoint(FastSchema):
    """An endpoint. `secret` is the HMAC-SHA256 key of its signatures."""

    id = fields.Integer(required=True)
    url = fields.String(required=True)
    description = fields.String(required=True)
    kinds = fields.List(fields.String(validate=validate.OneOf(KIND_NAMES)), required=True)
    secret = fields.String(required=True)
    active = fields.Boolean(required=True)
    failing_since = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "Set when a delivery used up its retries; cleared by a success"})
    failure_reason = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    deliveries_url = link("api_webhooks.deliveries", endpoint_id="id")


EndpointPage = page_of(Endpoint, "EndpointPage")


class NewEndpoint(FastSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=MAX_URL_CHARS))
    kinds = fields.List(fields.String(validate=validate.OneOf(KIND_NAMES)), required=True,
                        validate=validate.Length(min=1))
    description = fields.String(load_default="", validate=validate.Length(max=200))
    secret = fields.String(load_default=None, allow_none=True, validate=SECRET, metadata={
        "description": "Made for you when left out"})
    active = fields.Boolean(load_default=True)


class EndpointEdit(FastSchema):
    """The fields to change; the others keep their values."""

    url = fields.String(validate=validate.Length(min=1, max=MAX_URL_CHARS))
    kinds = fields.List(fields.String(validate=validate.OneOf(KIND_NAMES)),
                        validate=validate.Length(min=1))
    description = fields.String(validate=validate.Length(max=200))
    secret = fields.String(validate=SECRET)
    active = fields.Boolean(metadata={"description": "Switching it on clears `failing_since`"})


class Delivery(FastSchema):
    """One event sent (or to be sent) to one endpoint."""

    id = fields.Integer(required=True)
    endpoint_id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    kind = fields.Function(lambda d: d.event.kind, required=True, metadata={"type": "string"})
    status = fields.Function(lambda d: d.status.value, required=True, metadata={
        "type": "string", "enum": [s.value for s in DeliveryStatus]})
    attempts = fields.Integer(required=True)
    response_code = fields.Integer(required=True, allow_none=True)
    duration_ms = fields.Integer(required=True, allow_none=True)
    error = fields.String(required=True, allow_none=True)
    next_attempt_at = fields.DateTime(required=True, allow_none=True)
    completed_at = fields.DateTime(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    resent = fields.Function(lambda d: d.resent_by_id is not None, required=True,
                             metadata={"type": "boolean", "description": "Sent again by hand"})


DeliveryPage = page_of(Delivery, "DeliveryPage")
