"""Rules about new members: pre-moderation of their first posts and who counts as new.
The discussion service asks `initial_post_status`; the rate limits ask `is_new_member`."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.discussion import Post, PostStatus


def is_new_member(user: User) -> bool:
    """Unverified members whose account is younger than NEW_MEMBER_DAYS."""
    if not isinstance(user, User) or user.is_verified or user.is_moderator:
        return False
    age = utcnow() - user.created_at
    return age < timedelta(days=current_app.config["NEW_MEMBER_DAYS"])


def needs_premoderation(author: User) -> bool:
    """An unverified member's posts wait for a moderator until PREMODERATION_POSTS of them
    have been published. Verified members and moderators are never held."""
    wanted = current_app.config["PREMODERATION_POSTS"]
    if wanted <= 0 or author.is_verified or author.is_moderator:
        return False
    published = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == author.id, Post.status == PostStatus.PUBLISHED)) or 0
    return published < wanted


def initial_post_status(author: User) -> PostStatus:
    """The status a new post by `author` starts in: pending while pre-moderated."""
    return PostStatus.PENDING if needs_premoderation(author) else PostStatus.PUBLISHED
