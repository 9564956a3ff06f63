"""Forms for flags, decisions, moderator actions, suspensions and appeals (shape only;
the rules live in the services)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forum.forms import Form
from forum.ids import MAX_ID
from forum.models.moderation import FLAG_REASON_LABELS

REASON = _l("Reason")
REASON_HELP = _l("Shown publicly in the moderation log. Do not repeat personal data here.")


class EmptyForm(Form):
    """Only the CSRF token, for buttons that post."""

    next = HiddenField()


class FlagForm(Form):
    reason = RadioField(_l("What is wrong?"), validators=[InputRequired()],
                        choices=[SelectChoice(k.value, v) for k, v in FLAG_REASON_LABELS.items()])
    text = TextAreaField(_l("Details"), validators=[Length(max=1000)],
                         description=_l("Required when you choose “Other”."))
    next = HiddenField()


class ReasonForm(Form):
    reason = TextAreaField(REASON, validators=[Length(max=500)], description=REASON_HELP)
    next = HiddenField()


class DecisionForm(Form):
    decision = RadioField(_l("Decision"), validators=[InputRequired()], choices=[
        SelectChoice("dismiss", _l("Dismiss the flags")),
        SelectChoice("hide", _l("Hide with a reason")),
        SelectChoice("edit_out", _l("Edit out personal data")),
        SelectChoice("warn", _l("Warn the author")),
        SelectChoice("suspend", _l("Suspend the author")),
    ])
    reason = TextAreaField(REASON, validators=[Length(max=500)], description=REASON_HELP)
    new_body = TextAreaField(_l("Text without the personal data"),
                             validators=[Length(max=20_000)],
                             description=_l("Only for “Edit out personal data”."))
    until = DateField(_l("Suspended until"), validators=[Optional()],
                      description=_l("Only for a suspension. Leave empty to suspend until lifted."))


class EditOutForm(Form):
    new_body = TextAreaField(_l("Text without the personal data"),
                             validators=[InputRequired(), Length(max=20_000)])
    reason = TextAreaField(REASON, validators=[InputRequired(), Length(max=500)],
                           description=REASON_HELP)


class MoveForm(Form):
    topic_id = SelectField(_l("Move to topic"), coerce=int, validators=[InputRequired()])
    reason = TextAreaField(REASON, validators=[Length(max=500)], description=REASON_HELP)


class MergeForm(Form):
    target_id = IntegerField(_l("Number of the thread to merge into"),
                             validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)],
                             description=_l("The number in the thread's address, /threads/<number>."))
    reason = TextAreaField(REASON, validators=[Length(max=500)], description=REASON_HELP)


class SuspendForm(Form):
    reason = TextAreaField(_l("Reason (shown to the member and in the log)"),
                           validators=[InputRequired(), Length(max=500)])
    until = DateField(_l("Suspended until"), validators=[Optional()],
                      description=_l("Leave empty to suspend until lifted."))


class AppealForm(Form):
    text = TextAreaField(_l("Why should the decision change?"),
                         validators=[InputRequired(), Length(max=2000)])


class AppealDecisionForm(Form):
    outcome = RadioField(_l("Outcome"), validators=[InputRequired()], choices=[
        SelectChoice("uphold", _l("Uphold: the decision stands")),
        SelectChoice("overturn", _l("Overturn: undo the decision")),
    ])
    reason = TextAreaField(REASON, validators=[InputRequired(), Length(max=500)],
                           description=REASON_HELP)
