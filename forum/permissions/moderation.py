"""Rules for flags, the review queue, moderator actions, suspensions and appeals."""
from __future__ import annotations

from forum.models.accounts import User
from forum.models.discussion import Post, PostStatus, Thread
from forum.models.moderation import Appeal, ModerationAction
from forum.permissions.archives import may_see_archive
from forum.permissions.core import (
    Action,
    is_admin,
    is_global_moderator,
    is_member,
    is_moderator,
    may_take_part,
    moderates_area,
    rule,
)
from forum.permissions.discussion import moderates

# Decisions a member may appeal: they are about the member's own content or account.
APPEALABLE = {"hide_post", "auto_hide_post", "hide_thread", "reject_post", "edit_out_post",
              "warn_member", "suspend_member"}


@rule(Action.FLAG)
def _flag(user, target) -> bool:
    """Members taking part may flag visible posts and threads of others."""
    if not may_take_part(user) or target is None:
        return False
    if isinstance(target, Post):
        return (target.author_id != user.id and target.status == PostStatus.PUBLISHED
                and target.hidden_at is None and target.deleted_at is None
                and target.thread.hidden_at is None and may_see_archive(user, target.thread))
    if isinstance(target, Thread):
        return (target.author_id != user.id and target.hidden_at is None
                and target.merged_into_id is None and may_see_archive(user, target))
    return False


@rule(Action.VIEW_FLAG)
def _view_flag(user, flag) -> bool:
    """A flag is seen by the member who made it and by the moderators of the item's area
    (`flag.thread` gives the area)."""
    if not is_member(user):
        return False
    return flag.reporter_id == user.id or moderates(user, flag.thread)


@rule(Action.MODERATE)
def _moderate(user, target) -> bool:
    """Act on content: moderators of its focus area (global moderators and admins: all)."""
    if target is None:
        return is_moderator(user)
    return moderates(user, target)


@rule(Action.VIEW_QUEUE)
def _view_queue(user, target) -> bool:
    return is_moderator(user)


@rule(Action.SUSPEND)
def _suspend(user, target) -> bool:
    """Suspending from a piece of content: that area's moderators. Suspending a member from
    their profile: global moderators. Moderators themselves can be suspended only by admins."""
    if not is_moderator(user):
        return False
    if isinstance(target, User):
        if target.id == user.id or (target.is_moderator and not is_admin(user)):
            return False
        return is_global_moderator(user)
    if isinstance(target, Post | Thread):
        author = target.author
        if author.id == user.id or (author.is_moderator and not is_admin(user)):
            return False
        return moderates(user, target)
    return target is None and is_global_moderator(user)


@rule(Action.APPEAL)
def _appeal(user, target) -> bool:
    """A member (suspended or not) may appeal an appealable decision about themselves."""
    if not is_member(user) or not isinstance(target, ModerationAction):
        return False
    return target.subject_user_id == user.id and target.action in APPEALABLE


@rule(Action.DECIDE_APPEAL)
def _decide_appeal(user, target) -> bool:
    """Another moderator of the area decides: never the one who made the decision, never
    the appellant."""
    if not isinstance(target, Appeal):
        return is_moderator(user)
    action = target.action
    if user.id in (action.moderator_id, target.appellant_id):
        return False
    if action.focus_area_id is None:
        return is_global_moderator(user)
    return moderates_area(user, action.focus_area_id)
