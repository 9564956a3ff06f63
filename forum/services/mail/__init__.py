"""Email: `send_to_member` and `send_to_address` queue templated messages; kinds, member
preferences and unsubscribe links live in `preferences`."""
from forum.services.mail.preferences import register_kind
from forum.services.mail.sending import send_to_address, send_to_member

__all__ = ["register_kind", "send_to_address", "send_to_member"]
