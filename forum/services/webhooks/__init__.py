"""Webhooks: `emit(kind, payload)` records an event in the caller's transaction; each
subscribed endpoint gets it as its own background job after the commit, signed."""
from forum.services.webhooks.events import KINDS, emit

__all__ = ["KINDS", "emit"]
