"""Confirming a new member's email address by a signed link (valid CONFIRM_LINK_DAYS).

Rules: until the address is confirmed the member may read but not post (see
`permissions.core.may_take_part`); the link names the member and the address it was sent
to, so it confirms nothing once the address changes; a link used before says so."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from forum.exceptions import Conflict
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.permissions.core import forget_cached_facts
from forum.services import mail
from forum.services.security.links import LinkRefused, Refusal, make, read

PURPOSE = "confirm-email"


def send_link(member: User) -> None:
    """Email the member a link that confirms their address (queued as a job)."""
    if member.is_confirmed:
        raise Conflict(_("Your email address is already confirmed."), code="confirmed")
    mail.send_to_member(member, "confirm_email", token=token_for(member),
                        days=current_app.config["CONFIRM_LINK_DAYS"])


def token_for(member: User) -> str:
    """The token of a confirmation link for the member's present address."""
    return make(PURPOSE, {"u": member.id, "e": member.email})


def member_for(token: str) -> User:
    """The member whose address a link confirms, while it can; `LinkRefused` says why not."""
    data = read(PURPOSE, token, current_app.config["CONFIRM_LINK_DAYS"] * 86400)
    member = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if member is None or not member.is_active or member.email != data.get("e"):
        raise LinkRefused(Refusal.INVALID)
    if member.is_confirmed:
        raise LinkRefused(Refusal.USED)
    return member


def confirm(token: str) -> User:
    """Confirm the address a link was sent to; `LinkRefused` says why a link does not work."""
    member = member_for(token)
    member.email_confirmed_at = utcnow()
    db.session.commit()
    forget_cached_facts()
    return member


def refusal_message(reason: Refusal) -> str:
    return {
        Refusal.EXPIRED: _("This confirmation link has expired. Sign in and ask for a new one."),
        Refusal.USED: _("This link has already been used: your email address is confirmed."),
        Refusal.INVALID: _("This confirmation link is not valid. Check that you copied all of "
                           "it, or sign in and ask for a new one."),
    }[reason]
