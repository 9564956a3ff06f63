"""Schemas every resource uses: problems, links, pages, members as others see them."""
from __future__ import annotations

from flask import g, url_for
from marshmallow import Schema, fields, validate

from forum.models.accounts import Role, Scope, Sector
from forum.permissions.core import is_suspended


class ProblemError(Schema):
    location = fields.String(metadata={"description": "json, query, header or path"})
    field = fields.String(metadata={"description": "The field, nested names joined by dots"})
    pointer = fields.String(metadata={"description": "JSON pointer into the body"})
    detail = fields.String(required=True)


class Problem(Schema):
    """An error, as RFC 9457 describes (application/problem+json)."""

    type = fields.String(required=True, metadata={"description": "URI of the problem type"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    code = fields.String(required=True, metadata={"description": "A stable machine code"})
    errors = fields.List(fields.Nested(ProblemError))
    retry_after = fields.Integer()


class ProblemTypeSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    description = fields.String(required=True)


def link(endpoint: str, **values) -> fields.Function:
    """A URL field for `endpoint`, its values read from the object dumped (attribute names)."""
    return fields.Function(lambda obj: url_for(
        endpoint, _external=True, **{k: getattr(obj, v) for k, v in values.items()}),
        required=True, metadata={"type": "string", "format": "uri"})


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The schema of one page of a list of `item`."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next": fields.String(required=True, allow_none=True, metadata={
            "description": "URL of the next page; null on the last page"}),
    }, name=name)


SECTORS = [s.value for s in Sector]


class Member(Schema):
    """A member as anyone may see them: never an email address or anything private."""

    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    organisation = fields.String(required=True)
    title = fields.String(required=True)
    verified = fields.Function(lambda user: user.verified_at is not None, required=True,
                               metadata={"type": "boolean"})
    url = link("api_members.member", user_id="id")
    html_url = link("profiles.show", user_id="id")


class TokenInfo(Schema):
    name = fields.String(required=True)
    scopes = fields.Function(lambda t: t.scopes.split(), required=True, metadata={
        "type": "array", "items": {"type": "string", "enum": [s.value for s in Scope]}})


class Me(Member):
    """The calling member, with what only they may see."""

    email = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    language = fields.String(allow_none=True)
    suspended = fields.Function(lambda user: is_suspended(user), required=True,
                                metadata={"type": "boolean"})
    token = fields.Function(lambda _user: TokenInfo().dump(g.api_token), required=True,
                            metadata={"type": "object", "description": "The token in use"})
