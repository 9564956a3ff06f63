"""Forms for the profile and personal access tokens."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from forum.blueprints.auth.forms import ProfileFields
from forum.forms import Form
from forum.models.accounts import SCOPE_LABELS, Scope


class ProfileForm(ProfileFields):
    pass


class TokenForm(Form):
    name = StringField(_l("Token name"), validators=[InputRequired(), Length(max=80)],
                       description=_l("What the token is for, e.g. “meeting-room display”."))
    scopes = SelectMultipleField(
        _l("What the token may do"), default=[Scope.READ.value],
        choices=[SelectChoice(k.value, v) for k, v in SCOPE_LABELS.items()],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        description=_l("Choose at least one. Give a token only what its program needs."))


class EmptyForm(Form):
    """A form with only the CSRF token, for buttons that post."""


class EraseForm(Form):
    password = PasswordField(_l("Your password"), validators=[InputRequired()])
    confirm = BooleanField(_l("I understand that this cannot be undone"),
                           validators=[InputRequired()])
