"""Forms for threads and posts: they check shape; the discussion service checks the rules."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from forum.forms import Form
from forum.models.discussion import Capacity, ReactionKind
from forum.services.discussion.posting import MAX_POST_CHARS, MAX_TITLE_CHARS

BODY_HELP = _l("Markdown: **bold**, *italic*, > quote, [link](https://…), @First_Last to "
               "mention a member.")


class CapacityMixin:
    capacity = RadioField(_l("I write"), default=Capacity.PERSONAL.value,
                          choices=[SelectChoice(Capacity.PERSONAL.value, _l("A personal view"))],
                          validators=[Optional()])

    def offer_role(self, user) -> None:
        """The role choice names the member's title and organisation."""
        choices = [SelectChoice(Capacity.PERSONAL.value, _("A personal view"))]
        if getattr(user, "role_line", ""):
            choices.append(SelectChoice(Capacity.ROLE.value,
                                        _("In my role: %(role)s", role=user.role_line)))
        self.capacity.choices = choices


class ThreadForm(CapacityMixin, Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=MAX_TITLE_CHARS)])
    body = TextAreaField(_l("Opening post"), description=BODY_HELP,
                         validators=[InputRequired(), Length(max=MAX_POST_CHARS)])


class ReplyForm(CapacityMixin, Form):
    parent_id = HiddenField()
    body = TextAreaField(_l("Your reply"), description=BODY_HELP,
                         validators=[InputRequired(), Length(max=MAX_POST_CHARS)])


class EditForm(CapacityMixin, Form):
    body = TextAreaField(_l("Post"), description=BODY_HELP,
                         validators=[InputRequired(), Length(max=MAX_POST_CHARS)])


class ReactForm(Form):
    """The pressed button names the reaction: `kind` adds it, `undo` takes it back."""

    kind = HiddenField()
    undo = HiddenField()


class EmptyForm(Form):
    """Only the CSRF token, for buttons that post."""


REACTION_KINDS = list(ReactionKind)
