"""Live sessions, their questions and polls, and the record of an ended one."""
from __future__ import annotations

from marshmallow import fields, validate

from forum.blueprints.api.schemas.common import Member, link, page_of
from forum.blueprints.api.schemas.fast import FastSchema
from forum.models.live import Attribution, QuestionStatus, SessionRole, SessionStatus, Visibility
from forum.services.live.stream import MAX_QUESTION_CHARS

_any_object = {"type": "object"}


class LiveSession(FastSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description_html = fields.String(required=True)
    focus_area = fields.Function(lambda s: s.focus_area.slug, required=True,
                                 metadata={"type": "string"})
    topic_id = fields.Integer(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    visibility = fields.String(required=True, validate=validate.OneOf([v.value for v in Visibility]))
    attribution = fields.String(required=True,
                                validate=validate.OneOf([a.value for a in Attribution]))
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in SessionStatus]))
    started_at = fields.DateTime(required=True, allow_none=True)
    ended_at = fields.DateTime(required=True, allow_none=True)
    cancelled_reason = fields.String(required=True, allow_none=True)
    archive_thread_id = fields.Integer(required=True, allow_none=True)
    hosts = fields.Function(lambda s: Member(many=True).dump(s.people_with(SessionRole.HOST)),
                            required=True, metadata={"type": "array", "items": _any_object})
    moderators = fields.Function(
        lambda s: Member(many=True).dump(s.people_with(SessionRole.MODERATOR)), required=True,
        metadata={"type": "array", "items": _any_object})
    url = link("api_live.session", session_id="id")
    html_url = link("live.show", session_id="id")


class Attributed(FastSchema):
    """Who asked, as far as the session's attribution mode tells (on the record: name and
    organisation; Chatham House: the sector only; anonymous: the role only)."""

    id = fields.Integer()
    name = fields.String()
    sector = fields.String()
    organisation = fields.String()
    role = fields.String(required=True)


class Question(FastSchema):
    id = fields.Integer(required=True)
    body = fields.String(required=True, metadata={"description": "Empty when hidden"})
    status = fields.String(required=True,
                           validate=validate.OneOf([q.value for q in QuestionStatus]))
    pinned = fields.Boolean(required=True)
    votes = fields.Integer(required=True)
    merged_into = fields.Integer(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    author = fields.Nested(Attributed, required=True)


class Poll(FastSchema):
    """A poll; `results` (counts overall and by sector) where the room shows them, else
    only the number of `ballots`."""

    id = fields.Integer(required=True)
    question = fields.String(required=True)
    choices = fields.List(fields.String(), required=True)
    multiple = fields.Boolean(required=True)
    results_live = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))
    repeat_of = fields.Integer(required=True, allow_none=True)
    results = fields.Dict(metadata={"type": "object"})
    ballots = fields.Integer()


class Record(FastSchema):
    session = fields.Nested(LiveSession, required=True)
    questions = fields.List(fields.Nested(Question), required=True)
    polls = fields.List(fields.Nested(Poll), required=True)


class NewQuestion(FastSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_QUESTION_CHARS))


class Asked(FastSchema):
    question_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "open or pending"})
    seq = fields.Integer(metadata={"description": "The event's place in the room's stream"})


SessionPage = page_of(LiveSession, "LiveSessionPage")
QuestionPage = page_of(Question, "QuestionPage")
PollPage = page_of(Poll, "PollPage")


class Rsvp(FastSchema):
    session_id = fields.Integer(required=True)
    rsvp = fields.Boolean(required=True, metadata={"description": "The caller will come"})
    count = fields.Integer(required=True, metadata={"description": "RSVPs to the session"})


class Upvoted(FastSchema):
    question_id = fields.Integer(required=True)
    votes = fields.Integer(required=True)


class NewBallot(FastSchema):
    choice = fields.Raw(required=True, metadata={
        "description": "The index of a choice (from 0), or a list of indexes in a poll that "
                       "allows several",
        "oneOf": [{"type": "integer", "minimum": 0},
                  {"type": "array", "items": {"type": "integer", "minimum": 0},
                   "minItems": 1, "maxItems": 20}]})


class Ballot(FastSchema):
    poll_id = fields.Integer(required=True)
    choices = fields.List(fields.Integer(), required=True)
