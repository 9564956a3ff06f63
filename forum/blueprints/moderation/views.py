"""Routes of the moderation feature."""
from __future__ import annotations

from forum.blueprints.moderation import bp  # noqa: F401
