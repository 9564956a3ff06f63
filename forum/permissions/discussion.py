"""Rules for topics, threads and posts."""
from __future__ import annotations

from flask_babel import gettext as _

from forum.models.discussion import (
    FocusArea,
    Post,
    PostRow,
    PostStatus,
    Thread,
    Topic,
    TopicStatus,
)
from forum.permissions.archives import may_see_archive
from forum.permissions.core import (
    Action,
    is_moderator,
    may_take_part,
    moderates_area,
    rule,
    sight,
)


def area_of(target) -> int | None:
    """The focus area a topic, thread, post or area belongs to."""
    if isinstance(target, FocusArea):
        return target.id
    if isinstance(target, Topic):
        return target.focus_area_id
    if isinstance(target, Thread):
        return target.topic.focus_area_id
    if isinstance(target, Post | PostRow):
        return target.thread.topic.focus_area_id
    if isinstance(target, int):
        return target
    return None


def moderates(user, target) -> bool:
    """Does the user moderate the area `target` belongs to? (Members answer without a lookup.)"""
    return is_moderator(user) and moderates_area(user, area_of(target))


@rule(Action.CURATE_TOPIC)
def _curate(user, target) -> bool:
    return moderates(user, target)


@rule(Action.START_THREAD)
def _start_thread(user, topic: Topic) -> bool:
    return may_take_part(user) and topic.status == TopicStatus.OPEN


@rule(Action.VIEW_THREAD)
def _view_thread(user, thread: Thread) -> bool:
    """Visible threads; hidden ones to the area's moderators and the author. The archive of
    a session only to those who may see the session (forum.permissions.archives)."""
    return may_see_archive(user, thread) and thread_shown(user, thread)


def thread_shown(user, thread: Thread) -> bool:
    """The thread rule without the archive part (search narrows that by audience)."""
    if thread.hidden_at is None and thread.merged_into_id is None:
        return True
    return moderates(user, thread) or (
        thread.merged_into_id is None and getattr(user, "id", None) == thread.author_id)


@rule(Action.REPLY)
def _reply(user, thread: Thread) -> bool:
    if not may_take_part(user) or thread.topic.status != TopicStatus.OPEN:
        return False
    if not may_see_archive(user, thread):
        return False
    if thread.hidden_at is not None or thread.merged_into_id is not None:
        return False
    return not thread.locked or moderates(user, thread)


@rule(Action.VIEW_POST)
def _view_post(user, post: Post) -> bool:
    """Published posts are public; pending and rejected ones only to the author and moderators.
    Nothing of an archive thread the user may not see."""
    return may_see_archive(user, post.thread) and post_shown(user, post)


def post_shown(user, post: Post) -> bool:
    """The post rule without the archive part."""
    if post.status == PostStatus.PUBLISHED:
        return True
    return getattr(user, "id", None) == post.author_id or moderates(user, post)


@sight(Thread, lambda: _("There is no such thread."))
def _sees_thread(user, thread: Thread) -> bool:
    """Acting on a thread one may not see answers "not found", as its page does."""
    return _view_thread(user, thread)


@sight(Post, lambda: _("There is no such post."))
def _sees_post(user, post: Post) -> bool:
    """A post is seen where its permalink is: the post and its thread may be seen."""
    return _view_post(user, post) and _view_thread(user, post.thread)


@rule(Action.VIEW_HIDDEN_TEXT)
def _view_hidden_text(user, post: Post) -> bool:
    """The text of a hidden or author-deleted post: its author and the area's moderators."""
    if post.hidden_at is None and post.deleted_at is None:
        return True
    if post.hidden_at is not None and getattr(user, "id", None) == post.author_id:
        return True
    return moderates(user, post)


@rule(Action.VIEW_REVISIONS)
def _view_revisions(user, post: Post) -> bool:
    return _view_post(user, post) and _view_hidden_text(user, post)


@rule(Action.EDIT_POST)
def _edit_post(user, post: Post) -> bool:
    return (may_take_part(user) and post.author_id == user.id and post.deleted_at is None
            and post.thread.topic.status != TopicStatus.ARCHIVED)


@rule(Action.DELETE_POST)
def _delete_post(user, post: Post) -> bool:
    return _edit_post(user, post)


@rule(Action.REACT)
def _react(user, post: Post) -> bool:
    return (may_take_part(user) and post.author_id != user.id and may_see_archive(user, post.thread)
            and post.status == PostStatus.PUBLISHED and post.hidden_at is None
            and post.deleted_at is None and post.thread.topic.status != TopicStatus.ARCHIVED)
