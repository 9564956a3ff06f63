"""Rules for flags, the review queue, suspensions and appeals."""
from __future__ import annotations
