"""Forms for scheduling live sessions and for the buttons on a session page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from forum.forms import Form
from forum.models.live import ATTRIBUTION_LABELS, VISIBILITY_LABELS

EMAILS_HELP = _l("One email address per line.")


class SessionForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    topic_id = SelectField(_l("Topic"), coerce=int, validators=[InputRequired()],
                           description=_l("The archive becomes a thread in this topic."))
    description = TextAreaField(_l("Description and agenda"), validators=[Length(max=10_000)],
                                description=_l("Markdown is supported."))
    starts_at = DateTimeLocalField(_l("Starts (Stockholm time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends (Stockholm time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired()])
    visibility = SelectField(_l("Who may take part"),
                             choices=[SelectChoice(k.value, v) for k, v in VISIBILITY_LABELS.items()])
    attribution = SelectField(_l("Attribution"),
                              choices=[SelectChoice(k.value, v) for k, v in ATTRIBUTION_LABELS.items()],
                              description=_l("What participants see of each other, and what "
                                             "the archive keeps."))
    meeting_url = StringField(_l("Video meeting or stream (optional)"),
                              validators=[Optional(), Length(max=500)],
                              description=_l("Shown as a link; nothing loads until it is "
                                             "followed."))
    premoderate_questions = BooleanField(_l("Questions wait for a moderator's approval"))
    hosts = TextAreaField(_l("Hosts"), description=EMAILS_HELP)
    moderators = TextAreaField(_l("Moderators"),
                               description=_l("One email address per line. Empty: you."))
    invitees = TextAreaField(_l("Invited members (for invitation-only sessions)"),
                             description=EMAILS_HELP)


class CancelForm(Form):
    reason = StringField(_l("Reason for cancelling"),
                         validators=[InputRequired(), Length(max=500)])


class ButtonForm(Form):
    """Only the CSRF token, for buttons that post."""
