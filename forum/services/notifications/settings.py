"""A member's notice settings: email per kind (off, at once, daily digest) and whether they
follow their own threads and the threads they reply in by default."""
from __future__ import annotations

from flask_babel import gettext as _

from forum.exceptions import InvalidInput
from forum.extensions import db
from forum.models.accounts import User
from forum.models.mail import EmailDelivery
from forum.permissions import Action, require
from forum.services.mail import preferences
from forum.services.notifications import following, kinds


def current(member: User) -> dict:
    """The member's choices, as the settings form shows them."""
    values = {f"mail_{name}": preferences.delivery_for(member, name).value
              for name in kinds.MAIL_KINDS}
    values["auto_follow"] = following.auto_follows(member.id)
    return values


def save(actor: User, auto_follow: bool, choices: dict[str, str]) -> None:
    """Save every choice at once. Choosing a daily digest for some kind turns the digest on
    again for a member who had unsubscribed from it."""
    require(actor, Action.EDIT_PROFILE, actor)
    wanted = {}
    for name in kinds.MAIL_KINDS:
        try:
            wanted[name] = EmailDelivery(choices.get(name, ""))
        except ValueError:
            raise InvalidInput({f"mail_{name}": _("Choose off, at once or daily digest.")},
                               code="bad_delivery") from None
    for name, delivery in wanted.items():
        preferences.set_delivery(actor, name, delivery)
    if EmailDelivery.DAILY in wanted.values():
        preferences.set_delivery(actor, kinds.DIGEST, EmailDelivery.IMMEDIATE)
    following.set_auto_follow(actor, bool(auto_follow))
    db.session.commit()
