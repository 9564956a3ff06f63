"""A message from a pair of templates, `templates/email/<name>.txt` and `.html`, rendered in
one language: plain text first, HTML as the alternative, and the List-Unsubscribe headers
(RFC 8058) when the email belongs to a kind the member can turn off.

The text template's `subject` block is the subject line; the HTML template gets it as
`subject`. Both extend `email/_layout.*`, which adds the footer and the unsubscribe link.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from forum.models.base import utcnow
from forum.services.mail import preferences


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Render as for a request in `language`, with links on `BASE_URL` (a job has no request
    to take the host from)."""
    app = current_app._get_current_object()
    with app.test_request_context(base_url=app.config["BASE_URL"]), force_locale(language):
        yield


def render(template: str, language: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of `template` in `language` (inside `in_language`)."""
    app = current_app._get_current_object()
    context = {**context, "language": language}
    text_template = app.jinja_env.get_template(f"email/{template}.txt")
    full = dict(context)
    app.update_template_context(full)
    subject = "".join(text_template.blocks["subject"](text_template.new_context(full)))
    subject = " ".join(subject.split())
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context, subject=subject)
    return subject, text, html


def build(to: Address, template: str, language: str, context: dict,
          unsubscribe: tuple[int, str] | None = None) -> EmailMessage:
    """The whole message to `to`. `unsubscribe` (member id, kind) adds the one-click link
    for kinds a member can turn off; None for transactional mail (password reset, address
    confirmation)."""
    with in_language(language):
        url = preferences.unsubscribe_url(*unsubscribe) if unsubscribe else None
        subject, text, html = render(template, language, {**context, "unsubscribe_url": url})
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message["Auto-Submitted"] = "auto-generated"
    if url:
        message["List-Unsubscribe"] = f"<{url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after the parts: setting content clears it
    return message


def _domain_of(sender: str) -> str:
    address = getaddresses([sender])[0][1]
    return address.rpartition("@")[2] or "localhost"
