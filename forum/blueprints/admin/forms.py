"""Forms for granting and taking the moderator role and its focus areas."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length
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
