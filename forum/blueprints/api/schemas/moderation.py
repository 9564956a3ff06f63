"""Flags and moderators' decisions."""
from __future__ import annotations

from marshmallow import fields, validate

from forum.blueprints.api.schemas.common import page_of
from forum.blueprints.api.schemas.fast import FastSchema
from forum.models.moderation import FlagReason
from forum.services.moderation.review import DECISIONS, MAX_FLAG_TEXT

REASONS = [r.value for r in FlagReason]


class NewFlag(FastSchema):
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    text = fields.String(load_default="", validate=validate.Length(max=MAX_FLAG_TEXT),
                         metadata={"description": "Needed with reason 'other'"})


class Flag(FastSchema):
    """A flag. Moderators see every flag in their areas; a member sees the ones they made."""

    id = fields.Integer(required=True)
    target_type = fields.String(required=True, validate=validate.OneOf(["post", "thread"]))
    target_id = fields.Integer(required=True)
    thread_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    text = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(required=True, allow_none=True)
    resolution = fields.String(required=True, allow_none=True)


FlagPage = page_of(Flag, "FlagPage")


class Decision(FastSchema):
    """A moderator's decision on a flagged (or any) post or thread."""

    target_type = fields.String(required=True, validate=validate.OneOf(["post", "thread"]))
    target_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    new_body = fields.String(load_default=None, allow_none=True,
                             metadata={"description": "The new text, for edit_out"})
    suspend_until = fields.AwareDateTime(load_default=None, allow_none=True,
                                         metadata={"description": "For suspend; none: open"})


class DecisionDone(FastSchema):
    target_type = fields.String(required=True)
    target_id = fields.Integer(required=True)
    decision = fields.String(required=True)
