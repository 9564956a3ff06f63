"""Moderators' actions on threads and topics: lock, pin, move, merge (and undo a merge).
(Closing and archiving topics is topic curation: services.curation.) Each writes a moderation-log entry and commits once."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.discussion import Post, PostStatus, Thread, Topic, TopicStatus
from forum.models.moderation import ModerationAction
from forum.permissions import Action, require
from forum.permissions.core import moderated_areas
from forum.services.discussion import posting
from forum.services.moderation import modlog
from forum.services.moderation.targets import clean_reason


def _toggle(actor: User, thread_id: int, attribute: str, value: bool, reason: str) -> Thread:
    thread = posting.get_thread(thread_id)
    require(actor, Action.MODERATE, thread)
    if getattr(thread, attribute) == value:
        raise Conflict(_("Nothing to change."))
    setattr(thread, attribute, value)
    verb = {"locked": ("lock", "unlock"), "pinned": ("pin", "unpin")}[attribute]
    modlog.record_on(actor, f"{verb[0] if value else verb[1]}_thread", thread,
         clean_reason(reason, required=False))
    db.session.commit()
    return thread


def lock(actor: User, thread_id: int, locked: bool = True, reason: str = "") -> Thread:
    """Moderators of the area lock a thread (no more replies) or unlock it."""
    return _toggle(actor, thread_id, "locked", locked, reason)


def pin(actor: User, thread_id: int, pinned: bool = True, reason: str = "") -> Thread:
    """Moderators of the area pin a thread to the top of its topic, or unpin it."""
    return _toggle(actor, thread_id, "pinned", pinned, reason)


def move(actor: User, thread_id: int, topic_id: int, reason: str = "") -> Thread:
    """Move a thread to another topic. The moderator must look after both focus areas."""
    thread = posting.get_thread(thread_id)
    require(actor, Action.MODERATE, thread)
    target = db.session.get(Topic, topic_id)
    if target is None:
        raise InvalidInput({"topic_id": _("There is no such topic.")})
    require(actor, Action.MODERATE, target)
    if target.id == thread.topic_id:
        raise InvalidInput({"topic_id": _("The thread is already in that topic.")})
    source = thread.topic
    source.thread_count -= 1 if thread.post_count else 0
    source.post_count -= thread.post_count
    target.thread_count += 1 if thread.post_count else 0
    target.post_count += thread.post_count
    target.last_activity_at = max(target.last_activity_at, thread.last_activity_at)
    thread.topic_id, thread.topic = target.id, target
    modlog.record_on(actor, "move_thread", thread, clean_reason(reason, required=False),
         from_topic=source.id, to_topic=target.id)
    db.session.commit()
    return thread


def merge(actor: User, source_id: int, target_id: int, reason: str = "") -> Thread:
    """Merge one thread into another: its posts join the target and every post of the target
    is numbered again by time. The emptied thread stays, pointing at the target; the log
    keeps which posts moved, so the merge can be undone."""
    source, target = posting.get_thread(source_id), posting.get_thread(target_id)
    require(actor, Action.MODERATE, source)
    require(actor, Action.MODERATE, target)
    if source.id == target.id or source.merged_into_id or target.merged_into_id:
        raise InvalidInput({"target_id": _("Choose another thread that has not been merged.")})
    moved = list(db.session.scalars(select(Post.id).where(Post.thread_id == source.id)))
    old_topic, old_count = source.topic, source.post_count
    _reassign(moved, target.id)
    source.merged_into_id = target.id
    _renumber(target.id)
    _recount(target)
    _recount(source)
    old_topic.thread_count -= 1 if old_count else 0
    old_topic.post_count -= old_count
    target.topic.post_count += old_count
    modlog.record_on(actor, "merge_thread", source, clean_reason(reason, required=False),
         into=target.id, posts=moved)
    db.session.commit()
    return target


def unmerge(actor: User, source_id: int, reason: str = "") -> Thread:
    """Undo a merge: the posts that came from the thread go back to it, both renumbered."""
    source = posting.get_thread(source_id)
    require(actor, Action.MODERATE, source)
    if source.merged_into_id is None:
        raise Conflict(_("This thread has not been merged."))
    target = posting.get_thread(source.merged_into_id)
    require(actor, Action.MODERATE, target)
    entry = db.session.scalar(select(ModerationAction).where(
        ModerationAction.action == "merge_thread", ModerationAction.target_type == "thread",
        ModerationAction.target_id == source.id).order_by(ModerationAction.id.desc()))
    if entry is None:
        raise NotFound(_("The record of this merge is missing."))
    moved = [int(i) for i in entry.details.get("posts", [])]
    _reassign(moved, source.id)
    source.merged_into_id = None
    _renumber(source.id)
    _renumber(target.id)
    _recount(source)
    _recount(target)
    target.topic.post_count -= source.post_count
    source.topic.post_count += source.post_count
    source.topic.thread_count += 1 if source.post_count else 0
    modlog.record_on(actor, "unmerge_thread", source, clean_reason(reason, required=False),
         out_of=target.id, posts=moved)
    db.session.commit()
    return source


def _reassign(post_ids: list[int], thread_id: int) -> None:
    # A negative position (unique by id) until _renumber gives the final numbers.
    for post in db.session.scalars(select(Post).where(Post.id.in_(post_ids))):
        post.thread_id, post.position = thread_id, -post.id
    db.session.flush()


def _renumber(thread_id: int) -> None:
    """Positions 1..n by time for the published posts; posts awaiting approval (or rejected)
    hold none, as anywhere. Two passes, so the unique (thread, position) pair holds at every
    statement: first all negative, then the final numbers."""
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == thread_id)
                                    .order_by(Post.created_at, Post.id)))
    for post in posts:
        post.position = -post.id
    db.session.flush()
    numbers = iter(range(1, len(posts) + 1))
    for post in posts:
        post.position = next(numbers) if post.status == PostStatus.PUBLISHED else None
    db.session.flush()


def _recount(thread: Thread) -> None:
    """Counters from the posts themselves (after posts moved between threads)."""
    published = select(Post).where(Post.thread_id == thread.id,
                                   Post.status == PostStatus.PUBLISHED)
    thread.post_count = db.session.scalar(
        select(func.count()).select_from(published.subquery())) or 0
    thread.last_position = db.session.scalar(
        select(func.coalesce(func.max(Post.position), 0)).where(Post.thread_id == thread.id))
    last = db.session.scalars(published.order_by(Post.created_at.desc(), Post.id.desc())).first()
    if last is not None:
        thread.last_post_id, thread.last_poster_id = last.id, last.author_id
        thread.last_activity_at = last.created_at


def destinations(actor: User, exclude: int | None = None) -> list[tuple[int, str]]:
    """Topics a thread may be moved to by this moderator: not archived, in their areas."""

    query = select(Topic).where(Topic.status != TopicStatus.ARCHIVED).order_by(
        Topic.focus_area_id, Topic.title)
    areas = moderated_areas(actor)
    if areas is not None:
        query = query.where(Topic.focus_area_id.in_(areas))
    return [(t.id, t.title) for t in db.session.scalars(query) if t.id != exclude]
