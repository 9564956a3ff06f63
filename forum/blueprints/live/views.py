"""Routes of the live feature."""
from __future__ import annotations

from forum.blueprints.live import bp  # noqa: F401
