"""Sending email: the entry points other features call, and the jobs that do the work.

Nothing is sent inside a request: `send_to_member` and `send_to_address` queue a job (after
the caller's commit), and the job renders, builds and delivers the message, retried with
growing delays when the SMTP server fails.
"""
from __future__ import annotations

import logging
from email.headerregistry import Address

from flask import current_app

from forum import jobs
from forum.extensions import db
from forum.models.accounts import User
from forum.models.mail import EmailDelivery
from forum.services.mail import compose, preferences, transport

log = logging.getLogger(__name__)


def send_to_member(member: User, template: str, *, unsubscribe_kind: str | None = None,
                   **context) -> None:
    """Queue `email/<template>` for a member, in their language. With `unsubscribe_kind`
    (a registered kind) the email carries a one-click unsubscribe link and is not sent if
    the member has turned that kind off by the time it goes. `context` holds JSON values
    (ids and strings); the template also gets `member`."""
    if unsubscribe_kind is not None and unsubscribe_kind not in preferences.KINDS:
        raise ValueError(f"unknown email kind {unsubscribe_kind!r}: register it first")
    deliver_to_member.enqueue(member.id, template, unsubscribe_kind, context)


def send_to_address(address: str, template: str, *, language: str | None = None,
                    **context) -> None:
    """Queue a transactional `email/<template>` (no unsubscribe link) to an address, e.g. a
    password reset or an address to confirm; `language` defaults to the site's."""
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise ValueError(f"no catalogue for language {language!r}")
    deliver_to_address.enqueue(address, template, language, context)


@jobs.task()
def deliver_to_member(member_id: int, template: str, kind: str | None, context: dict) -> None:
    """Render and send one email to a member, unless they are gone or have turned the kind
    off."""
    member = db.session.get(User, member_id)
    if member is None or member.erased_at is not None:
        log.info("email %s not sent: member %s is gone", template, member_id)
        return
    if kind is not None and preferences.delivery_for(member, kind) is EmailDelivery.OFF:
        log.info("email %s not sent: member %s turned %s off", template, member_id, kind)
        return
    language = member.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    message = compose.build(Address(member.display_name, addr_spec=member.email), template,
                            language, {**context, "member": member},
                            unsubscribe=(member.id, kind) if kind else None)
    transport.deliver(message)


@jobs.task()
def deliver_to_address(address: str, template: str, language: str | None,
                       context: dict) -> None:
    """Render and send one transactional email to an address."""
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    message = compose.build(Address(addr_spec=address), template, language, context)
    transport.deliver(message)
