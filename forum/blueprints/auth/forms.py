"""Forms for registering, signing in and changing the password."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from forum.forms import Form
from forum.models.accounts import SECTOR_LABELS


def sector_choices():
    return [("", _l("Choose a sector"))] + [(s.value, label) for s, label in SECTOR_LABELS.items()]


class ProfileFields(Form):
    display_name = StringField(_l("Name"), validators=[InputRequired(), Length(max=80)],
                               description=_l("Your full name, as colleagues know you."))
    sector = SelectField(_l("Sector"), choices=sector_choices, validators=[InputRequired()],
                         description=_l("Where you speak from: the sector you work in."))
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=120)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=120)],
                        description=_l("For example: Deputy mayor, Head of unit, CEO."))


class RegisterForm(ProfileFields):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(max=256)],
        description=_l("At least 10 characters. Several unrelated words work well."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        InputRequired(), EqualTo("password", message=_l("The passwords do not match."))])


class LoginForm(Form):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=256)],
                                 description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(), EqualTo("new_password", message=_l("The passwords do not match."))])


class TwoFactorForm(Form):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40)],
                       description=_l("The six digits your authenticator app shows now, or one "
                                      "of your recovery codes."))
    trust = BooleanField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust.label.text = _("Don't ask for a code on this device for %(days)s days",
                                  days=current_app.config["TWO_FACTOR_DEVICE_DAYS"])


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Email(), Length(max=254)])


class ResetPasswordForm(Form):
    new_password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=256)],
                                 description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(), EqualTo("new_password", message=_l("The passwords do not match."))])
