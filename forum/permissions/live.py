"""Rules for live sessions."""
from __future__ import annotations
