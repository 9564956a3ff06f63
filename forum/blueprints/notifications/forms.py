"""Forms for notices, following and the notice settings."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from forum.forms import Form
from forum.models.mail import EmailDelivery

DELIVERY_CHOICES = [
    SelectChoice(EmailDelivery.OFF.value, _l("Off")),
    SelectChoice(EmailDelivery.IMMEDIATE.value, _l("At once")),
    SelectChoice(EmailDelivery.DAILY.value, _l("Daily digest")),
]


class EmptyForm(Form):
    """Only the CSRF token, for buttons that post."""


def settings_form(kinds: dict, **defaults):
    """One radio group per kind of email, and the auto-follow box."""

    class SettingsForm(Form):
        auto_follow = BooleanField(_l("Follow the threads I start or reply in"))

    for name, (label, _default) in kinds.items():
        setattr(SettingsForm, f"mail_{name}", RadioField(
            label, choices=DELIVERY_CHOICES, validators=[InputRequired()]))
    return SettingsForm(data=defaults)
