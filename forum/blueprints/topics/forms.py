"""Forms for topic curation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from forum.forms import Form
from forum.services.discussion.posting import MAX_POST_CHARS, MAX_TITLE_CHARS


class TopicForm(Form):
    title = StringField(_l("Question"), validators=[InputRequired(), Length(max=MAX_TITLE_CHARS)],
                        description=_l("The governance question, in one sentence."))
    framing = TextAreaField(_l("Framing"), validators=[Length(max=MAX_POST_CHARS)],
                            description=_l("Why the question matters and what is at stake "
                                           "(Markdown)."))
    tags = StringField(_l("Tags"), validators=[Length(max=400)],
                       description=_l("Separated by commas, e.g. housing, mobility."))


class ValueForm(Form):
    """A curation button: the new value travels in a hidden field."""

    value = HiddenField(validators=[InputRequired()])
