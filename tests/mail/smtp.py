"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, or refuses it."""
from __future__ import annotations

import email
import socket
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

USER, PASSWORD = "forum@example.org", "s3cret/with:odd@chars"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every accepted message, parsed; or answers 451 to each."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logged_in: list[bool] = []
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.attempts += 1
        if self.refuse:
            return "451 4.3.0 Try again later"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.logged_in.append(bool(session.authenticated))
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


class SmtpServer:
    """Start with `with SmtpServer() as server:`; `server.url` is a FORUM_SMTP_URL for it."""

    def __init__(self, *, refuse: bool = False, auth: bool = True) -> None:
        self.inbox = Inbox(refuse)
        self.port = free_port()
        options = {"authenticator": _authenticate, "auth_require_tls": False,
                   "auth_required": False} if auth else {}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     **options)
        self.auth = auth

    @property
    def url(self) -> str:
        if not self.auth:
            return f"smtp://127.0.0.1:{self.port}?timeout=10"
        from urllib.parse import quote

        return (f"smtp://{quote(USER, safe='')}:{quote(PASSWORD, safe='')}"
                f"@127.0.0.1:{self.port}?timeout=10")

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
