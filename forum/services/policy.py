"""Rules about new members' posts (pre-moderation). The discussion service asks here."""
from __future__ import annotations

from forum.models.accounts import User
from forum.models.discussion import PostStatus


def initial_post_status(author: User) -> PostStatus:
    """The status a new post by `author` starts in. The moderation feature makes posts of new,
    unverified members wait for approval."""
    return PostStatus.PUBLISHED
