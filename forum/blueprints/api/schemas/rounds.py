"""Statement rounds: a round with its shown statements, submitting a statement, voting."""
from __future__ import annotations

from marshmallow import fields, validate

from forum.blueprints.api.schemas.common import link
from forum.blueprints.api.schemas.fast import FastSchema
from forum.models.deliberation import Participation
from forum.models.rounds import MAX_STATEMENT_CHARS, Choice


class RoundStatement(FastSchema):
    """A shown statement, without its author (as on the pages), and its vote totals."""

    id = fields.Integer(required=True)
    text = fields.String(required=True)
    agree = fields.Integer(required=True)
    disagree = fields.Integer(required=True)
    pass_ = fields.Integer(required=True, data_key="pass")


class StatementRound(FastSchema):
    id = fields.Integer(required=True)
    question = fields.String(required=True)
    description = fields.String(required=True)
    thread_id = fields.Integer(required=True, allow_none=True)
    live_session_id = fields.Integer(required=True, allow_none=True)
    participation = fields.String(required=True,
                                  validate=validate.OneOf([p.value for p in Participation]))
    premoderate = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))
    closes_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(required=True, allow_none=True)
    version = fields.Integer(required=True, metadata={
        "description": "Grows with every change (vote, statement); as in the live protocol"})
    statements = fields.List(fields.Nested(RoundStatement), required=True)
    url = link("api_rounds.round", round_id="id")
    html_url = link("deliberation.show_round", round_id="id")
    results_url = link("deliberation.round_results_page", round_id="id")


class NewStatement(FastSchema):
    text = fields.String(required=True,
                         validate=validate.Length(min=1, max=MAX_STATEMENT_CHARS))


class Submitted(FastSchema):
    statement_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={
        "description": "published, or pending while it waits for a moderator"})


class NewVote(FastSchema):
    statement_id = fields.Integer(required=True, strict=True)
    choice = fields.String(required=True, validate=validate.OneOf([c.value for c in Choice]))


class Voted(FastSchema):
    statement_id = fields.Integer(required=True)
    choice = fields.String(required=True)
    changed = fields.Boolean(required=True, metadata={
        "description": "false when the vote repeats the member's current one"})
    version = fields.Integer(required=True)
