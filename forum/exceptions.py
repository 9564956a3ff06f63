"""Domain errors raised by services; the factory maps them to HTTP codes and acks."""
from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A rule of the domain refused an action. `code` is stable; `message` is for people."""

    status = 400
    code = "error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str = "", *, retry_after: int = 0, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


class InvalidInput(DomainError):
    """Bad input. `fields` maps form field names to messages, so forms can show them."""

    status = 400
    code = "invalid"

    def __init__(self, fields: Mapping[str, str] | str, *, code: str | None = None) -> None:
        if isinstance(fields, str):
            fields = {"": fields}
        self.fields = dict(fields)
        super().__init__("; ".join(str(m) for m in self.fields.values()), code=code)

    def attach_to(self, form) -> None:
        """Show each message on its form field (or as a form-level error)."""
        for name, message in self.fields.items():
            field = getattr(form, name, None) if name else None
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
            else:
                form.form_errors.append(message)
