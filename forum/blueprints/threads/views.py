"""Routes of the threads feature."""
from __future__ import annotations

from forum.blueprints.threads import bp  # noqa: F401
