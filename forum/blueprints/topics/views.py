"""Routes of the topics feature."""
from __future__ import annotations

from forum.blueprints.topics import bp  # noqa: F401
