"""Forms for granting and taking the moderator role and its focus areas, the staff sign-in
setting, and webhook endpoints."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forum.forms import Form
from forum.models.accounts import ROLE_LABELS


class FindMemberForm(Form):
    email = EmailField(_l("Member's email address"),
                       validators=[InputRequired(), Email(), Length(max=254)])


class RoleForm(Form):
    role = RadioField(_l("Role"), validators=[InputRequired()],
                      choices=[SelectChoice(k.value, v) for k, v in ROLE_LABELS.items()])
    areas = SelectMultipleField(
        _l("Focus areas (for moderators)"), coerce=int,
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        description=_l("Choose none for a global moderator who acts in every area."))


class StaffTwoFactorForm(Form):
    required = BooleanField(_l("Moderators and admins must use two-factor sign-in"))


class WebhookForm(Form):
    """Shape only: the service checks the address (public, resolvable) and the kinds."""

    url = URLField(_l("Address (URL) that receives the events"),
                   validators=[InputRequired(), Length(max=2000)],
                   description=_l("An https:// address is best. It must be reachable on the "
                                  "internet; private and loopback addresses are refused."))
    description = StringField(_l("Description (optional)"), validators=[Length(max=200)])
    kinds = SelectMultipleField(
        _l("Events to send"), option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False))
    secret = StringField(_l("Secret (optional)"), validators=[Optional(), Length(min=16, max=200)],
                         description=_l("Used to sign each delivery. Leave empty to keep the "
                                        "current one (a new endpoint gets one made for it)."))
    active = BooleanField(_l("Send events to this endpoint"), default=True)
