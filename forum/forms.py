"""The base of every form: Flask-WTF's, with WTForms' own messages (\"This field is required.\"
and the like) in the request's language from a catalogue loaded once per process. Flask-WTF
reads that catalogue from disk again in every request that builds a form."""
from __future__ import annotations

from functools import cache

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.i18n import messages_path

from forum.rendering import storable


@cache
def _catalogue(language: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [language], domain="wtforms")


def _current() -> support.NullTranslations:
    if not has_request_context():
        return support.NullTranslations()
    return _catalogue(str(get_locale()))


class _WTFormsMessages:
    def gettext(self, string: str) -> str:
        return _current().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _current().ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()


def _storable(value):
    return storable(value) if isinstance(value, str) else value


class Form(FlaskForm):
    def page_status(self) -> int:
        """The status of a page that shows this form: 400 when it was sent and comes back (it
        did not pass, or the service refused it), else 200."""
        return 400 if self.is_submitted() else 200

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            """Every text field's value is `storable` (no NUL, no lone surrogate) before any
            validator or service sees it; passwords are left exactly as typed."""
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), _storable]
            return super().bind_field(form, unbound_field, options)

        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _MESSAGES
