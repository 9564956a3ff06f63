"""Demo discussion content (filled in by the discussion feature)."""
from __future__ import annotations


def add(cast: dict) -> str:
    return ""
