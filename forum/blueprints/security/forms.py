"""Forms of the security page: setting up two-factor sign-in and confirming with a password."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from forum.forms import Form


class EnableTwoFactorForm(Form):
    code = StringField(_l("Code from the app"), validators=[InputRequired(), Length(max=10)],
                       description=_l("The six digits the app shows after you add Rådslag."))


class PasswordConfirmForm(Form):
    password = PasswordField(_l("Your password"), validators=[InputRequired(), Length(max=256)])
