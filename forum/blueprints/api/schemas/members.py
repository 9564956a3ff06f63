"""Notifications of the calling member."""
from __future__ import annotations

from marshmallow import fields, validate

from forum.blueprints.api.schemas.common import page_of
from forum.blueprints.api.schemas.fast import FastSchema


class Notification(FastSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    message = fields.String(required=True, metadata={
        "description": "The notice, worded in the member's language (their saved choice, "
                       "else the site's)."})
    params = fields.Dict(required=True, metadata={
        "description": "What the notice is about: ids and names, by kind."})
    link = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)


NotificationPage = page_of(Notification, "NotificationPage")


class MarkedRead(FastSchema):
    unread = fields.Integer(required=True)


FOLLOW_KINDS = ["area", "topic", "thread", "session"]


class Subscription(FastSchema):
    kind = fields.String(required=True, validate=validate.OneOf(FOLLOW_KINDS))
    id = fields.Integer(required=True, metadata={"description": "The followed item's id"})
    title = fields.String(required=True)
    html_url = fields.String(required=True, metadata={"format": "uri"})


class SubscriptionList(FastSchema):
    items = fields.List(fields.Nested(Subscription), required=True, metadata={
        "description": "Everything the member follows and may still see, by kind"})


class Following(FastSchema):
    kind = fields.String(required=True, validate=validate.OneOf(FOLLOW_KINDS))
    id = fields.Integer(required=True)
    following = fields.Boolean(required=True)
