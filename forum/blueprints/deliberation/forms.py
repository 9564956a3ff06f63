"""Forms for proposals, positions, outcomes and commitments: they check shape (required
fields, lengths, known choices); the deliberation services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from forum.forms import Form
from forum.models.deliberation import (
    COMMITMENT_STATUS_LABELS,
    OUTCOME_LABELS,
    PARTICIPATION_LABELS,
    STANCE_LABELS,
    Participation,
)
from forum.models.moderation import FLAG_REASON_LABELS
from forum.models.rounds import CHOICE_LABELS
from forum.models.rounds import MAX_STATEMENT_CHARS as MAX_ROUND_STATEMENT_CHARS
from forum.services.deliberation.commitments import MAX_NOTE_CHARS, MAX_TEXT_CHARS
from forum.services.deliberation.outcomes import MAX_TEXT_CHARS as MAX_OUTCOME_CHARS
from forum.services.deliberation.positions import MAX_REASON_CHARS
from forum.services.deliberation.proposals import (
    MAX_BACKGROUND_CHARS,
    MAX_STATEMENT_CHARS,
    MAX_TITLE_CHARS,
)
from forum.services.deliberation.rounds import MAX_DESCRIPTION_CHARS, MAX_QUESTION_CHARS

MARKDOWN_HELP = _l("Markdown is supported.")


class _OffersParticipation:
    """Proposal and round forms: the participation choices for a thread or a session, and the
    default (all members in a thread, the session's participants in a session)."""

    def offer(self, in_session: bool) -> None:
        kinds = Participation.offered(in_session)
        self.participation.choices = [SelectChoice(k.value, PARTICIPATION_LABELS[k])
                                      for k in kinds]
        if self.participation.data is None:
            self.participation.data = kinds[-1 if in_session else 0].value


class ProposalForm(_OffersParticipation, Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=MAX_TITLE_CHARS)],
                        description=_l("A short name for the proposal."))
    statement = TextAreaField(_l("The proposal"), description=MARKDOWN_HELP, validators=[
        InputRequired(), Length(max=MAX_STATEMENT_CHARS)])
    background = TextAreaField(_l("Background (optional)"), description=MARKDOWN_HELP,
                               validators=[Optional(), Length(max=MAX_BACKGROUND_CHARS)])
    closes_at = DateTimeLocalField(_l("Closes (Stockholm time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired()])
    participation = RadioField(_l("Who may take a position"), validators=[InputRequired()])


class PositionForm(Form):
    stance = RadioField(_l("Your position"), validators=[InputRequired()],
                        choices=[SelectChoice(k.value, v) for k, v in STANCE_LABELS.items()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=MAX_REASON_CHARS)],
                           description=_l("Required when you disagree or block."))


class CloseForm(Form):
    reason = StringField(_l("Reason for closing early (public, optional)"),
                         validators=[Optional(), Length(max=500)])


class OutcomeForm(Form):
    kind = SelectField(_l("What was decided"), validators=[InputRequired()],
                       choices=[SelectChoice(k.value, v) for k, v in OUTCOME_LABELS.items()])
    decision = TextAreaField(_l("The decision or the state of agreement"),
                             description=MARKDOWN_HELP,
                             validators=[InputRequired(), Length(max=MAX_OUTCOME_CHARS)])
    next_steps = TextAreaField(_l("Next steps and who owns them (optional)"),
                               description=_l("Record each undertaking as a commitment too, "
                                              "so the ledger can follow it up."),
                               validators=[Optional(), Length(max=MAX_OUTCOME_CHARS)])


class CommitmentForm(Form):
    owner_email = StringField(_l("Owner's email address"),
                              validators=[InputRequired(), Email(), Length(max=254)],
                              description=_l("The member who reports on it."))
    organisation = StringField(_l("On behalf of (organisation, optional)"),
                               validators=[Optional(), Length(max=120)],
                               description=_l("Empty: the owner's own organisation."))
    text = TextAreaField(_l("What they undertake to do"),
                         validators=[InputRequired(), Length(max=MAX_TEXT_CHARS)])
    due_on = DateField(_l("Done by"), validators=[InputRequired()])
    review_on = DateField(_l("Review date"), validators=[InputRequired()],
                          description=_l("The owner is reminded before it and when it "
                                         "has passed."))


class CommitmentStatusForm(Form):
    status = SelectField(_l("Status"), validators=[InputRequired()],
                         choices=[SelectChoice(k.value, v)
                                  for k, v in COMMITMENT_STATUS_LABELS.items()])
    note = StringField(_l("Short note"), validators=[InputRequired(),
                                                     Length(max=MAX_NOTE_CHARS)])


# --- Statement rounds -------------------------------------------------------------------------


class RoundForm(_OffersParticipation, Form):
    question = StringField(_l("Question"), validators=[InputRequired(),
                                                      Length(max=MAX_QUESTION_CHARS)],
                           description=_l("What members write short statements about, e.g. "
                                          "\"How should the harbour area develop?\""))
    description = TextAreaField(_l("Background (optional)"),
                                validators=[Optional(), Length(max=MAX_DESCRIPTION_CHARS)])
    closes_at = DateTimeLocalField(_l("Closes (Stockholm time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired()])
    participation = RadioField(_l("Who may take part"), validators=[InputRequired()])
    premoderate = BooleanField(_l("Statements wait for a moderator's approval"))


class StatementForm(Form):
    text = TextAreaField(_l("Your statement"), validators=[
        InputRequired(), Length(max=MAX_ROUND_STATEMENT_CHARS)],
        description=_l("One idea, at most 280 characters, that others can agree or disagree "
                       "with."))


class VoteForm(Form):
    statement_id = IntegerField(validators=[InputRequired()], widget=HiddenInput())
    choice = RadioField(_l("Your vote"), validators=[InputRequired()],
                        choices=[SelectChoice(k.value, v) for k, v in CHOICE_LABELS.items()])


class StatementFlagForm(Form):
    reason = SelectField(_l("What is wrong?"), validators=[InputRequired()],
                         choices=[SelectChoice(k.value, v) for k, v in FLAG_REASON_LABELS.items()])
    text = StringField(_l("Details (needed for \"Other\")"),
                       validators=[Optional(), Length(max=1000)])


class ModerateStatementForm(Form):
    reason = StringField(_l("Reason (public)"), validators=[Optional(), Length(max=500)])
