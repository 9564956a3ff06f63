"""Live sessions: scheduling, the room, its event stream, moderation and the archive."""
