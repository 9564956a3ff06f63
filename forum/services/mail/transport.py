"""Where a finished message goes: the SMTP server `SMTP_URL` names, or, without one, an
`.eml` file in the outbox folder (development: open it with any mail program or editor).

`FORUM_SMTP_URL` forms: `smtp://host:25` (plain), `smtp://user:pass@host:587?starttls=1`
(STARTTLS), `smtps://user:pass@host:465` (TLS from the start); `timeout=SECONDS` is
optional. A user name or password with `@`, `:` or `/` is percent-encoded.
"""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from forum.models.base import utcnow

log = logging.getLogger(__name__)
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool  # TLS from the first byte (smtps)
    starttls: bool
    timeout: float


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read `FORUM_SMTP_URL`; a malformed one raises ValueError saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("FORUM_SMTP_URL must look like smtp://[user:pass@]host[:port] "
                         "or smtps://...")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise ValueError(f"FORUM_SMTP_URL: unknown option(s) {', '.join(sorted(unknown))}")
    tls = parts.scheme == "smtps"
    starttls = query.get("starttls", "0").lower() in _TRUE
    if tls and starttls:
        raise ValueError("FORUM_SMTP_URL: smtps already uses TLS; leave out starttls")
    return SmtpSettings(
        host=parts.hostname, port=parts.port or (465 if tls else 587 if starttls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls, starttls=starttls, timeout=float(query.get("timeout", 30)))


def deliver(message: EmailMessage) -> str:
    """Send `message` and say where it went. Failures raise, so the job is retried."""
    url = current_app.config.get("SMTP_URL")
    if url:
        settings = parse_smtp_url(url)
        _send_smtp(settings, message)
        return f"smtp://{settings.host}:{settings.port}"
    return str(write_outbox(Path(current_app.config["MAIL_OUTBOX_DIR"]), message))


def _send_smtp(settings: SmtpSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    if settings.tls:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.starttls:
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)


def write_outbox(folder: Path, message: EmailMessage) -> Path:
    """Write `message` as `<UTC time>-<random>.eml`; the file appears whole or not at all.
    The text parts are stored as plain UTF-8, so the file also reads well in an editor."""
    for part in message.walk():
        if part.get_content_maintype() == "text":
            part.set_content(part.get_content(), subtype=part.get_content_subtype(), cte="8bit")
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    partial = folder / f".{name}.partial"
    partial.write_bytes(message.as_bytes())
    os.replace(partial, folder / name)
    log.info("email to %s written to %s", message["To"], folder / name)
    return folder / name
