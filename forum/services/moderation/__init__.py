"""Moderation: the review queue, sanctions, appeals, moderator scopes, thread actions, the log."""
