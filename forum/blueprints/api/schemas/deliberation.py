"""Proposals, positions, outcomes and commitments."""
from __future__ import annotations

from marshmallow import fields, validate

from forum.blueprints.api.paging import PageArgs
from forum.blueprints.api.schemas.common import Member, link, page_of
from forum.blueprints.api.schemas.fast import FastSchema
from forum.ids import MAX_ID
from forum.models.deliberation import CommitmentStatus, OutcomeKind, Participation, Stance
from forum.services.deliberation import commitments, positions, proposals

_object = {"type": "object"}
STANCES = [s.value for s in Stance]
STATUSES = [s.value for s in CommitmentStatus]


class ProposalSummary(FastSchema):
    """A proposal in a list (its results are on the proposal itself)."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    statement = fields.String(attribute="statement_source", required=True,
                              metadata={"description": "Markdown"})
    statement_html = fields.String(required=True)
    background = fields.String(attribute="background_source", required=True)
    participation = fields.String(required=True,
                                  validate=validate.OneOf([p.value for p in Participation]))
    focus_area_id = fields.Integer(required=True)
    topic_id = fields.Integer(required=True)
    thread_id = fields.Integer(required=True, allow_none=True)
    live_session_id = fields.Integer(required=True, allow_none=True)
    opened_by = fields.Function(lambda p: positions.opener(getattr(p, "row", p)).who, required=True, metadata={
        **_object, "description": "As the session's attribution mode shows people"})
    status = fields.Function(lambda p: "open" if p.is_open() else "closed", required=True,
                             metadata={"type": "string", "enum": ["open", "closed"]})
    closes_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "When it closed: a moderator's early close, or its closing time "
                       "(recorded within about a minute of it)"})
    created_at = fields.DateTime(required=True)
    url = link("api_deliberation.proposal", proposal_id="id")
    html_url = link("deliberation.show", proposal_id="id")


ProposalPage = page_of(ProposalSummary, "ProposalPage")


class OwnPosition(FastSchema):
    stance = fields.String(required=True, validate=validate.OneOf(STANCES))
    reason = fields.String(required=True)
    updated_at = fields.DateTime(required=True)
    changes = fields.Integer(required=True, metadata={"description": "Submissions so far"})


class Proposal(ProposalSummary):
    """A proposal with its results (frozen once an outcome is recorded) and the caller's own
    position."""

    tally = fields.Dict(required=True)
    my_position = fields.Nested(OwnPosition, required=True, allow_none=True)


class NewProposal(FastSchema):
    title = fields.String(required=True, validate=validate.Length(
        min=1, max=proposals.MAX_TITLE_CHARS))
    statement = fields.String(required=True, validate=validate.Length(
        min=1, max=proposals.MAX_STATEMENT_CHARS))
    background = fields.String(load_default="", validate=validate.Length(
        max=proposals.MAX_BACKGROUND_CHARS))
    closes_at = fields.AwareDateTime(required=True)
    participation = fields.String(load_default=Participation.MEMBERS.value,
                                  validate=validate.OneOf([p.value for p in Participation]),
                                  metadata={"description": "'session' only in a live session"})


class PositionEntry(FastSchema):
    """A current position, attributed as the proposal's place shows people."""

    who = fields.Dict(required=True)
    stance = fields.String(required=True, validate=validate.OneOf(STANCES))
    reason = fields.String(required=True)
    at = fields.DateTime(required=True)


PositionPage = page_of(PositionEntry, "PositionPage")


class NewPosition(FastSchema):
    stance = fields.String(required=True, validate=validate.OneOf(STANCES))
    reason = fields.String(load_default="", validate=validate.Length(
        max=positions.MAX_REASON_CHARS), metadata={"description": "Needed to disagree or block"})


class Taken(FastSchema):
    proposal_id = fields.Integer(required=True)
    position = fields.Nested(OwnPosition, required=True)
    changed = fields.Boolean(required=True, metadata={
        "description": "False when the same stance and reason were already taken"})
    tally = fields.Dict(required=True)


class Close(FastSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class Outcome(FastSchema):
    proposal_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in OutcomeKind]))
    decision = fields.String(attribute="decision_source", required=True)
    decision_html = fields.String(required=True)
    next_steps = fields.String(attribute="next_steps_source", required=True)
    next_steps_html = fields.String(required=True)
    final_tally = fields.Dict(required=True)
    post_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The post that announced it in the thread"})
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(required=True, allow_none=True)


class OutcomeIn(FastSchema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in OutcomeKind]))
    decision = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    next_steps = fields.String(load_default="", validate=validate.Length(max=20_000))


class CommitmentReport(FastSchema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = fields.String(required=True)
    at = fields.DateTime(required=True)
    author = fields.Nested(Member, required=True)


class Commitment(FastSchema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    owner = fields.Nested(Member, required=True)
    sector = fields.String(required=True)
    organisation = fields.String(required=True)
    due_on = fields.Date(required=True)
    review_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_note = fields.String(required=True)
    status_changed_at = fields.DateTime(required=True, allow_none=True)
    focus_area_id = fields.Integer(required=True)
    outcome_id = fields.Integer(required=True, allow_none=True)
    live_session_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    url = link("api_deliberation.commitment", commitment_id="id")
    html_url = link("deliberation.commitment", commitment_id="id")


CommitmentPage = page_of(Commitment, "CommitmentPage")


class CommitmentWithHistory(Commitment):
    history = fields.Function(lambda c: CommitmentReport(many=True).dump(commitments.history(c)),
                              required=True, metadata={"type": "array", "items": _object,
                                                       "description": "Newest first"})


class LedgerArgs(PageArgs):
    """The ledger's filters, as on the page, and the page."""

    area = fields.Integer(load_default=None, validate=validate.Range(min=0, max=MAX_ID),
                          metadata={"description": "A focus area's id"})
    sector = fields.String(load_default=None, validate=validate.Length(max=40))
    owner = fields.Integer(load_default=None, validate=validate.Range(min=0, max=MAX_ID),
                           metadata={"description": "A member's id"})
    status = fields.String(load_default=None, validate=validate.OneOf([*STATUSES, "overdue"]))


class NewCommitment(FastSchema):
    owner_email = fields.Email(required=True, metadata={
        "description": "The owner's address, as on the page (never shown back)"})
    text = fields.String(required=True, validate=validate.Length(
        min=1, max=commitments.MAX_TEXT_CHARS))
    due_on = fields.Date(required=True)
    review_on = fields.Date(required=True)
    organisation = fields.String(load_default="", validate=validate.Length(max=120))


class CommitmentUpdate(FastSchema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = fields.String(required=True, validate=validate.Length(
        min=1, max=commitments.MAX_NOTE_CHARS))
