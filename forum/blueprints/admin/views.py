"""Routes of the admin feature."""
from __future__ import annotations

from forum.blueprints.admin import bp  # noqa: F401
