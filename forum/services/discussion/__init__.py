"""Discussion: posting, reading, topic curation, the front page and new-member policy."""
