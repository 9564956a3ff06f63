"""Forms for the profile and personal access tokens."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from forum.blueprints.auth.forms import ProfileFields
from forum.forms import Form


class ProfileForm(ProfileFields):
    pass


class TokenForm(Form):
    name = StringField(_l("Token name"), validators=[InputRequired(), Length(max=80)],
                       description=_l("What the token is for, e.g. “meeting-room display”."))


class EmptyForm(Form):
    """A form with only the CSRF token, for buttons that post."""


class EraseForm(Form):
    password = PasswordField(_l("Your password"), validators=[InputRequired()])
    confirm = BooleanField(_l("I understand that this cannot be undone"),
                           validators=[InputRequired()])
