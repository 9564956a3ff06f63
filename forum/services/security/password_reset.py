"""Forgotten passwords: a signed link by email, good for an hour and for one use.

Rules: the answer to a request is the same whether the address belongs to a member or not,
and so is the work the request does: it queues one job, and the job looks the address up and
emails a link only to a member. The link carries a fingerprint of the password hash it was
made for, so it stops working once a new password is set (by this link or otherwise). Using
it sets a new password (the policy of registration) and ends every session of the member."""
from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _

from forum import jobs
from forum.exceptions import InvalidInput
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.services import accounts, mail, passwords
from forum.services.security import sessions
from forum.services.security.links import LinkRefused, Refusal, make, read

PURPOSE = "password-reset"


def request_reset(email: str, language: str | None) -> None:
    """Someone asks for a reset link for `email`. Only a job is queued, for any address."""
    send_reset_link.enqueue(accounts.normalise_email(email or "")[:254], language)


@jobs.task()
def send_reset_link(email: str, language: str | None) -> None:
    """Email a reset link if `email` is a member's; otherwise do nothing (and tell no one)."""
    member = accounts.find_by_email(email)
    if member is None or not member.is_active:
        return
    mail.send_to_member(member, "password_reset", token=token_for(member),
                        minutes=current_app.config["PASSWORD_RESET_SECONDS"] // 60)


def token_for(member: User) -> str:
    """The token of a reset link for `member` (valid until used or PASSWORD_RESET_SECONDS)."""
    return make(PURPOSE, {"u": member.id, "f": _fingerprint(member)})


def member_for(token: str) -> User:
    """The member a reset link was made for, while it is valid; `LinkRefused` says why not
    (expired, used or tampered with)."""
    data = read(PURPOSE, token, current_app.config["PASSWORD_RESET_SECONDS"])
    member = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if member is None or not member.is_active:
        raise LinkRefused(Refusal.INVALID)
    if data.get("f") != _fingerprint(member):
        raise LinkRefused(Refusal.USED)
    return member


def reset(token: str, new_password: str) -> User:
    """Set a new password through a reset link. Every session of the member ends (their
    access tokens stay); the caller signs this browser in afresh."""
    member = member_for(token)
    problem = passwords.password_problem(new_password, related=(member.email,
                                                                member.display_name))
    if problem:
        raise InvalidInput({"new_password": problem}, code="weak_password")
    member.password_hash = passwords.hash_password(new_password)
    ended = sessions.end_all(member.id)
    if member.email_confirmed_at is None:  # the link reached this mailbox: it is theirs
        member.email_confirmed_at = utcnow()
    db.session.commit()
    sessions.close_sockets(member.id, ended)  # access-token sockets stay, as the tokens do
    return member


def refusal_message(reason: Refusal) -> str:
    return {
        Refusal.EXPIRED: _("This link has expired: reset links work for one hour. Ask for a "
                           "new one below."),
        Refusal.USED: _("This link has already been used, or your password has been changed "
                        "since it was sent. Ask for a new one below if you need it."),
        Refusal.INVALID: _("This link is not valid. Check that you copied all of it, or ask "
                           "for a new one below."),
    }[reason]


def _fingerprint(member: User) -> str:
    return hashlib.sha256(member.password_hash.encode()).hexdigest()[:16]
