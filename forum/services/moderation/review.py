"""Moderation of content: flags, the review queue and its decisions, hiding and restoring,
editing out personal data, pre-moderation, and the thread and topic actions.

Every action writes a moderation-log entry in the same transaction and commits once.
Nothing is deleted: hidden, rejected, merged and edited content stays and can be restored."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.discussion import Post, PostStatus, Revision, Thread, Topic
from forum.models.moderation import Flag, FlagReason, ModerationAction
from forum.permissions import Action, require
from forum.permissions.core import moderated_areas
from forum.services import notifications, webhooks
from forum.services.discussion import posting
from forum.services.live import sockets
from forum.services.moderation import modlog, sanctions
from forum.services.moderation.targets import (
    clean_reason,
    get_post,
    get_target,
)
from forum.services.webhooks import payloads

MAX_FLAG_TEXT = 1000


# --- Flags ------------------------------------------------------------------------------------


def flag(actor: User, target_type: str, target_id: int, reason: str, text: str = "") -> Flag:
    """Members flag a visible post or thread of someone else, once each, with a reason
    ("other" needs a text). A post flagged by FLAG_AUTO_HIDE_COUNT members is hidden
    pending review."""
    target = get_target(target_type, target_id)
    require(actor, Action.FLAG, target)
    try:
        reason_value = FlagReason(reason)
    except ValueError:
        raise InvalidInput({"reason": _("Please choose a reason.")}) from None
    text = (text or "").strip()
    if reason_value == FlagReason.OTHER and not text:
        raise InvalidInput({"text": _("Please say what is wrong.")})
    if len(text) > MAX_FLAG_TEXT:
        raise InvalidInput({"text": _("At most %(n)s characters.", n=MAX_FLAG_TEXT)})
    if _already_flagged(actor, target_type, target.id):
        raise Conflict(_("You have already flagged this."), code="already_flagged")
    item = Flag(reporter_id=actor.id, target_type=target_type, target_id=target.id,
                thread_id=target.thread_id if isinstance(target, Post) else target.id,
                post_id=target.id if isinstance(target, Post) else None,
                reason=reason_value, text=text)
    db.session.add(item)
    db.session.flush()
    if isinstance(target, Post):
        _auto_hide_if_flagged_enough(target)
    db.session.commit()
    return item


def _already_flagged(actor: User, target_type: str, target_id: int) -> bool:
    return db.session.scalar(select(Flag.id).where(
        Flag.reporter_id == actor.id, Flag.target_type == target_type,
        Flag.target_id == target_id)) is not None


def open_flags(target_type: str, target_id: int) -> list[Flag]:
    return list(db.session.scalars(select(Flag).where(
        Flag.target_type == target_type, Flag.target_id == target_id,
        Flag.resolved_at.is_(None)).order_by(Flag.id.desc())))


def _auto_hide_if_flagged_enough(post: Post) -> None:
    needed = current_app.config["FLAG_AUTO_HIDE_COUNT"]
    flaggers = db.session.scalar(select(func.count(func.distinct(Flag.reporter_id))).where(
        Flag.target_type == "post", Flag.target_id == post.id, Flag.resolved_at.is_(None))) or 0
    if needed > 0 and flaggers >= needed and post.hidden_at is None:
        reason = _("Hidden pending review: flagged by %(n)s members.", n=flaggers)
        post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), None, reason
        modlog.record_on(None, "auto_hide_post", post, reason, flags=flaggers)


def _resolve_flags(actor: User, target_type: str, target_id: int, resolution: str) -> list[Flag]:
    flags = open_flags(target_type, target_id)
    now = utcnow()
    for item in flags:
        item.resolved_at, item.resolved_by_id, item.resolution = now, actor.id, resolution
    return flags


# --- The review queue -------------------------------------------------------------------------


@dataclass
class QueueItem:
    target_type: str
    target: Post | Thread
    flags: list[Flag] = field(default_factory=list)

    @property
    def thread(self) -> Thread:
        return self.target.thread if isinstance(self.target, Post) else self.target

    @property
    def latest(self) -> datetime:
        return max(f.created_at for f in self.flags)

    @property
    def reasons(self) -> list[FlagReason]:
        return sorted({f.reason for f in self.flags})


def queue(actor: User, *, focus_area_id: int | None = None, reason: str | None = None,
          limit: int = 500) -> list[QueueItem]:
    """Flagged items with all their open flags, newest flag first, in the areas the
    moderator looks after; optionally one focus area and one reason."""
    require(actor, Action.VIEW_QUEUE)
    query = (select(Flag).join(Thread, Thread.id == Flag.thread_id)
             .join(Topic, Topic.id == Thread.topic_id)
             .where(Flag.resolved_at.is_(None)).order_by(Flag.id.desc()).limit(limit))
    areas = moderated_areas(actor)
    if areas is not None:
        query = query.where(Topic.focus_area_id.in_(areas))
    if focus_area_id:
        query = query.where(Topic.focus_area_id == focus_area_id)
    items: dict[tuple[str, int], QueueItem] = {}
    for item in db.session.scalars(query):
        key = (item.target_type, item.target_id)
        if key not in items:
            items[key] = QueueItem(item.target_type, get_target(*key))
        items[key].flags.append(item)
    result = list(items.values())
    if reason:
        result = [i for i in result if any(f.reason == reason for f in i.flags)]
    return sorted(result, key=lambda i: i.latest, reverse=True)


def queue_item(actor: User, target_type: str, target_id: int) -> QueueItem:
    """One item with its open flags, for the decision page."""
    target = get_target(target_type, target_id)
    require(actor, Action.MODERATE, target)
    return QueueItem(target_type, target, open_flags(target_type, target.id))


def pending_posts(actor: User, *, focus_area_id: int | None = None) -> list[Post]:
    """Posts waiting for approval (pre-moderation), oldest first."""
    require(actor, Action.VIEW_QUEUE)
    query = (select(Post).join(Thread, Thread.id == Post.thread_id)
             .join(Topic, Topic.id == Thread.topic_id)
             .where(Post.status == PostStatus.PENDING).order_by(Post.created_at, Post.id))
    areas = moderated_areas(actor)
    if areas is not None:
        query = query.where(Topic.focus_area_id.in_(areas))
    if focus_area_id:
        query = query.where(Topic.focus_area_id == focus_area_id)
    return list(db.session.scalars(query.limit(500)))


DECISIONS = ("dismiss", "hide", "edit_out", "warn", "suspend")


def decide(actor: User, target_type: str, target_id: int, decision: str, reason: str, *,
           new_body: str | None = None, suspend_until: datetime | None = None) -> None:
    """Decide a flagged item: dismiss the flags, hide it, edit out personal data, warn or
    suspend its author. The decision resolves every open flag on the item and tells the
    flaggers and (unless dismissed) the author."""
    target = get_target(target_type, target_id)
    require(actor, Action.MODERATE, target)
    if decision not in DECISIONS:
        raise InvalidInput({"decision": _("Please choose a decision.")})
    reason = clean_reason(reason, required=decision != "dismiss")
    if decision == "dismiss":
        if not open_flags(target_type, target.id):
            raise Conflict(_("There are no open flags on this item."))
        _dismiss(actor, target, reason)
    elif decision == "hide":
        _hide(actor, target, reason)
    elif decision == "edit_out":
        if not isinstance(target, Post):
            raise InvalidInput({"decision": _("Only a post's text can be edited.")})
        _edit_out(actor, target, new_body, reason)
    elif decision == "warn":
        sanctions.warn_in_transaction(actor, target, reason)
    else:
        sanctions.suspend_in_transaction(actor, target.author, reason, suspend_until, target)
    flags = _resolve_flags(actor, target_type, target.id, decision)
    _tell_flaggers(flags, target)
    if flags:
        thread_id = target.thread_id if isinstance(target, Post) else target.id
        webhooks.emit("flag.decided", payloads.decision(
            target_type, target.id, thread_id, decision, [f.id for f in flags], actor))
    db.session.commit()
    if decision == "suspend":
        sockets.close(target.author_id)  # a suspended member's live sockets close at once


def _dismiss(actor: User, target: Post | Thread, reason: str) -> None:
    """Dismissing also lifts an automatic hide: the flags were not upheld."""
    if isinstance(target, Post) and target.hidden_at is not None and target.hidden_by_id is None:
        target.hidden_at = target.hidden_reason = None
    modlog.record_on(actor, "dismiss_flags", target, reason)


def _tell_flaggers(flags: list[Flag], target: Post | Thread) -> None:
    tell_flaggers({f.reporter_id for f in flags}, _target_params(target))


def tell_flaggers(reporter_ids, params: dict) -> None:
    """Each member whose flag a decision resolved hears once that it was decided (posts,
    threads and round statements alike; `params` say what and where)."""
    for reporter_id in sorted(set(reporter_ids)):
        notifications.notify(reporter_id, "flag_reviewed", params)


def _target_params(target: Post | Thread) -> dict:
    if isinstance(target, Post):
        return {"what": "post", "post_id": target.id, "thread_id": target.thread_id}
    return {"what": "thread", "thread_id": target.id}


def _tell_author(target: Post | Thread, kind: str, entry: ModerationAction,
                 reason: str = "") -> None:
    """The author hears of a decision on their content, with the way to appeal it."""
    notifications.notify(target.author_id, kind,
                         {**_target_params(target), "reason": reason, "action_id": entry.id},
                         actor_id=entry.moderator_id)


# --- Posts --------------------------------------------------------------------------------------


def _hide(actor: User, target: Post | Thread, reason: str) -> ModerationAction:
    if target.hidden_at is not None and target.hidden_by_id is not None:
        raise Conflict(_("This is already hidden."))
    target.hidden_at, target.hidden_by_id, target.hidden_reason = utcnow(), actor.id, reason
    kind = "post" if isinstance(target, Post) else "thread"
    entry = modlog.record_on(actor, f"hide_{kind}", target, reason)
    db.session.flush()
    _tell_author(target, "content_hidden", entry, reason)
    return entry


def _restore(actor: User, target: Post | Thread, reason: str) -> None:
    if target.hidden_at is None:
        raise Conflict(_("This is not hidden."))
    target.hidden_at = target.hidden_by_id = target.hidden_reason = None
    kind = "post" if isinstance(target, Post) else "thread"
    modlog.record_on(actor, f"restore_{kind}", target, reason)
    notifications.notify(target.author_id, "content_restored", _target_params(target),
                         actor_id=actor.id)


def hide(actor: User, target_type: str, target_id: int, reason: str) -> None:
    """Moderators of the area hide a post or thread with a reason; members then see only
    "hidden by a moderator" and the reason. Open flags on it are resolved."""
    target = get_target(target_type, target_id)
    require(actor, Action.MODERATE, target)
    _hide(actor, target, clean_reason(reason))
    _tell_flaggers(_resolve_flags(actor, target_type, target.id, "hide"), target)
    db.session.commit()


def restore(actor: User, target_type: str, target_id: int, reason: str = "") -> None:
    """Moderators of the area bring back a hidden post or thread, text unchanged."""
    target = get_target(target_type, target_id)
    require(actor, Action.MODERATE, target)
    _restore(actor, target, clean_reason(reason, required=False))
    db.session.commit()


def _edit_out(actor: User, post: Post, new_body: str | None, reason: str) -> None:
    body = posting.clean_body(new_body, "new_body")
    if body == post.body_source:
        raise InvalidInput({"new_body": _("The text is unchanged.")})
    revision = Revision(post_id=post.id, editor_id=actor.id, body_source=post.body_source,
                        moderator_only=True, reason=reason)
    db.session.add(revision)
    db.session.flush()
    post.body_source, post.body_html = body, posting.render(body)
    # The log says an edit happened and why; the removed text is only in the revision.
    entry = modlog.record_on(actor, "edit_out_post", post, reason, revision=revision.id)
    db.session.flush()
    _tell_author(post, "content_edited_out", entry, reason)


def edit_out(actor: User, post_id: int, new_body: str, reason: str) -> None:
    """Moderators of the area remove personal data from a post. The old text is kept in a
    revision only moderators can read; the public log shows that an edit happened."""
    post = get_post(post_id)
    require(actor, Action.MODERATE, post)
    _edit_out(actor, post, new_body, clean_reason(reason))
    _resolve_flags(actor, "post", post.id, "edit_out")
    db.session.commit()


def moderator_revisions(actor: User, post_id: int) -> list[Revision]:
    """Every earlier text of a post, personal-data revisions included: moderators only."""
    post = get_post(post_id)
    require(actor, Action.MODERATE, post)
    return list(db.session.scalars(select(Revision).where(Revision.post_id == post.id)
                                   .order_by(Revision.id.desc())))


def restore_revision(actor: User, revision_id: int, reason: str) -> None:
    """Put an earlier text back (nothing edited is lost); the current text becomes a
    moderator-only revision in turn."""
    revision = db.session.get(Revision, revision_id)
    if revision is None:
        raise NotFound(_("There is no such revision."))
    post = get_post(revision.post_id)
    require(actor, Action.MODERATE, post)
    reason = clean_reason(reason)
    db.session.add(Revision(post_id=post.id, editor_id=actor.id, body_source=post.body_source,
                            moderator_only=True, reason=reason))
    post.body_source = revision.body_source
    post.body_html = posting.render(revision.body_source)
    modlog.record_on(actor, "edit_out_post", post, reason, restored=True)
    db.session.commit()


def approve(actor: User, post_id: int) -> None:
    """Publish a pending (or rejected) post with its original time, at the end of the thread."""
    post = get_post(post_id)
    require(actor, Action.MODERATE, post)
    _approve(actor, post, "")
    db.session.commit()


def _approve(actor: User, post: Post, reason: str) -> None:
    if post.status == PostStatus.PUBLISHED:
        raise Conflict(_("This post is already published."))
    posting.publish(post)
    modlog.record_on(actor, "approve_post", post, reason)
    notifications.notify(post.author_id, "post_approved", _target_params(post),
                         actor_id=actor.id)


def reject(actor: User, post_id: int, reason: str) -> None:
    """Refuse a pending post; the author sees why. The text stays and can still be approved."""
    post = get_post(post_id)
    require(actor, Action.MODERATE, post)
    reason = clean_reason(reason)
    if post.status != PostStatus.PENDING:
        raise Conflict(_("Only a post waiting for approval can be rejected."))
    post.status, post.rejection_reason = PostStatus.REJECTED, reason
    entry = modlog.record_on(actor, "reject_post", post, reason)
    db.session.flush()
    _tell_author(post, "post_rejected", entry, reason)
    db.session.commit()
