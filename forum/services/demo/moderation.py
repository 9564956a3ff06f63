"""Demo moderation content (filled in by the moderation feature)."""
from __future__ import annotations


def add(cast: dict) -> str:
    return ""
