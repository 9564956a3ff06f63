"""Notifications of the calling member."""
from __future__ import annotations

from marshmallow import Schema, fields

from forum.blueprints.api.schemas.common import page_of


class Notification(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    message = fields.String(required=True)
    link = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)


NotificationPage = page_of(Notification, "NotificationPage")


class MarkedRead(Schema):
    unread = fields.Integer(required=True)
