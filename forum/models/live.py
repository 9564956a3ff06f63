"""Live sessions: sessions, their ordered event stream, questions, polls, speaker queue."""
from __future__ import annotations
