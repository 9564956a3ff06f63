"""Schemas every resource uses: problems, links, pages, members as others see them."""
from __future__ import annotations

from urllib.parse import quote

from flask import g, request, url_for
from marshmallow import Schema, fields, validate

from forum.blueprints.api.schemas.fast import FastSchema
from forum.models.accounts import Role, Scope, Sector
from forum.permissions.core import is_suspended


class ProblemError(FastSchema):
    location = fields.String(metadata={"description": "json, query, header or path"})
    field = fields.String(metadata={"description": "The field, nested names joined by dots"})
    pointer = fields.String(metadata={"description": "JSON pointer into the body"})
    detail = fields.String(required=True)


class Problem(FastSchema):
    """An error, as RFC 9457 describes (application/problem+json)."""

    type = fields.String(required=True, metadata={"description": "URI of the problem type"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    code = fields.String(required=True, metadata={"description": "A stable machine code"})
    errors = fields.List(fields.Nested(ProblemError))
    retry_after = fields.Integer()


class ProblemTypeSchema(FastSchema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    description = fields.String(required=True)


def link(endpoint: str, **values) -> fields.Function:
    """A URL field for `endpoint`, its values read from the object dumped (attribute names).
    The URL is built once per host and endpoint, then filled in for each object."""
    names = tuple(values)

    def build(obj) -> str:
        template = _url_template(endpoint, names)
        return template.format(**{k: _part(getattr(obj, v)) for k, v in values.items()})

    return fields.Function(build, required=True, metadata={"type": "string", "format": "uri"})


def _part(value) -> str:
    return str(value) if isinstance(value, int) else quote(str(value), safe="")


_SENTINEL = 2_147_000_000  # within the id converter's range
_TEMPLATES: dict[tuple, str] = {}


def _url_template(endpoint: str, names: tuple[str, ...]) -> str:
    """url_for's external URL with {name} holes, kept per host, scheme and script root (what
    such a URL depends on)."""
    environ = request.environ
    key = (endpoint, environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
           environ.get("wsgi.url_scheme"), environ.get("SCRIPT_NAME"))
    template = _TEMPLATES.get(key)
    if template is None:
        url = url_for(endpoint, _external=True,
                      **{n: _SENTINEL + i for i, n in enumerate(names)})
        url = url.replace("{", "{{").replace("}", "}}")
        for i, n in enumerate(names):
            url = url.replace(str(_SENTINEL + i), "{" + n + "}")
        template = _TEMPLATES[key] = url
    return template


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The schema of one page of a list of `item`."""
    return FastSchema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next": fields.String(required=True, allow_none=True, metadata={
            "description": "URL of the next page; null on the last page"}),
    }, name=name)


SECTORS = [s.value for s in Sector]


class Member(FastSchema):
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


class TokenInfo(FastSchema):
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
