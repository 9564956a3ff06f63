"""Kinds of email a member can turn off, each member's choice per kind, and the signed
one-click unsubscribe links that turn a kind off without signing in.

A feature that sends email of a kind registers it once, at import:
`preferences.register_kind("reply", _l("Replies to my posts"))`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from forum.exceptions import InvalidInput
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import insert_or_merge
from forum.models.mail import EmailDelivery, EmailPreference

_SALT = "radslag.email-unsubscribe"


@dataclass(frozen=True)
class Kind:
    name: str
    label: object  # a lazy string: what the member is unsubscribing from
    default: EmailDelivery


KINDS: dict[str, Kind] = {}


def register_kind(name: str, label, default: EmailDelivery = EmailDelivery.IMMEDIATE) -> Kind:
    """Declare a kind of email members may turn off (names up to 40 characters)."""
    if name in KINDS or len(name) > 40:
        raise ValueError(f"email kind {name!r} is taken or too long")
    KINDS[name] = Kind(name, label, default)
    return KINDS[name]


def kind_label(name: str) -> str:
    kind = KINDS.get(name)
    return str(kind.label) if kind else str(_l("these emails"))


def delivery_for(member: User, kind: str) -> EmailDelivery:
    """How `member` wants email of `kind`: their saved choice, else the kind's default."""
    saved = db.session.scalar(select(EmailPreference.delivery).where(
        EmailPreference.user_id == member.id, EmailPreference.kind == kind))
    if saved is not None:
        return saved
    return KINDS[kind].default if kind in KINDS else EmailDelivery.IMMEDIATE


def set_delivery(member: User, kind: str, delivery: EmailDelivery) -> None:
    """Save a member's choice for one kind (the caller commits)."""
    statement = insert_or_merge(EmailPreference).values(
        user_id=member.id, kind=kind, delivery=delivery.value)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "kind"], set_={"delivery": delivery.value}))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(member_id: int, kind: str) -> str:
    """A token naming one member and one kind, signed with the secret key: it cannot be
    changed to name anyone or anything else. It does not expire."""
    return _serializer().dumps([member_id, kind])


def unsubscribe_url(member_id: int, kind: str) -> str:
    return url_for("mail.unsubscribe", token=unsubscribe_token(member_id, kind), _external=True)


def read_token(token: str) -> tuple[User, str]:
    """The member and kind a valid token names; anything else is refused, changing nothing."""
    refused = InvalidInput(_("This unsubscribe link is not valid. It may have been changed "
                             "or cut short; use the whole link from the email."),
                           code="bad_unsubscribe_link")
    try:
        member_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise refused from None
    member = db.session.get(User, member_id) if isinstance(member_id, int) else None
    if member is None or member.erased_at is not None or not isinstance(kind, str):
        raise refused
    return member, kind


def unsubscribe(token: str) -> tuple[User, str]:
    """Turn off the kind a valid token names, for its member. Using a link again changes
    nothing further."""
    member, kind = read_token(token)
    set_delivery(member, kind, EmailDelivery.OFF)
    db.session.commit()
    return member, kind
