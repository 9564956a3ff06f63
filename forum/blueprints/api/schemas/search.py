"""Search: the query and one page of hits."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from forum.blueprints.api.schemas.common import SECTORS, Member
from forum.blueprints.api.schemas.fast import FastSchema


class SearchArgs(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=1000), metadata={
        "description": "Plain words; every word must occur (in any inflected form). Signs "
                       "such as quotes, stars, minus and colons are ignored. At most 200 "
                       "characters (longer: 422 with the reason)."})
    kind = fields.String(load_default=None, metadata={
        "description": "topic, thread, post, session or proposal"})
    area = fields.String(load_default=None, metadata={"description": "A focus area's slug."})
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTORS),
                           metadata={"description": "The author's sector."})
    verified = fields.Boolean(load_default=False,
                              metadata={"description": "Verified authors only."})
    since = fields.Date(load_default=None, metadata={"description": "From this day (Stockholm)."})
    until = fields.Date(load_default=None, metadata={"description": "To this day, inclusive."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=50))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class Hit(FastSchema):
    kind = fields.String(required=True)
    url = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "Plain text."})
    title_html = fields.String(required=True, metadata={
        "description": "The title, escaped, with the matching words in <mark>."})
    excerpt_html = fields.String(required=True, metadata={
        "description": "Escaped text around the first matches, the matches in <mark>."})
    language = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    focus_area = fields.String(required=True, allow_none=True)
    author = fields.Nested(Member, required=True, allow_none=True)


class SearchPage(FastSchema):
    items = fields.List(fields.Nested(Hit), required=True)
    total = fields.Integer(required=True, metadata={
        "description": "Hits the caller may see, counted up to 1,000."})
    more = fields.Boolean(required=True, metadata={
        "description": "true: more than `total` (1,000) hits match; the newest 1,000 are "
                       "ranked and paged. Narrow the search to see the rest."})
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    next = fields.String(required=True, allow_none=True,
                         metadata={"description": "URL of the next page; null on the last"})
    note = fields.String(required=True, metadata={"description": "Words left out, if any."})
