"""Threads and posts: starting threads, replying, editing, deleting, reacting.

The building blocks (`new_thread`, `append_post`, `note_published`) check no permissions and
do not commit; other features (live-session archives, moderation) use them inside their own
transactions. The actions below them enforce the rules and commit once."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import bindparam, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defaultload, lazyload

from forum import rendering
from forum.exceptions import InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import held, utcnow
from forum.models.discussion import (
    Capacity,
    Mention,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    Revision,
    Thread,
    Topic,
    TopicStatus,
)
from forum.permissions import Action, can, require
from forum.permissions.archives import note_archive, restricted_session_id
from forum.permissions.core import may_take_part
from forum.services import webhooks
from forum.services.discussion import policy
from forum.services.notifications import activity
from forum.services.webhooks import payloads

MAX_POST_CHARS = 20_000
MAX_TITLE_CHARS = 200


# --- Building blocks: no permission checks, no commit ----------------------------------------


def new_thread(topic: Topic, author: User, title: str, body_source: str, *,
               capacity: Capacity = Capacity.PERSONAL, created_at: datetime | None = None,
               status: PostStatus | None = None, before_posts=None) -> Thread:
    """Create a thread and its opening post (position 1). `before_posts(thread)` runs once
    the thread has its id, before the opening post is published and announced."""
    when = created_at or utcnow()
    thread = Thread(topic_id=topic.id, title=title.strip(), author_id=author.id,
                    created_at=when, last_activity_at=when, post_count=0, last_position=0)
    db.session.add(thread)
    db.session.flush()
    if before_posts is not None:
        before_posts(thread)
    append_post(thread, author, body_source, capacity=capacity, created_at=when, status=status,
                opening=True)
    return thread


def append_post(thread: Thread, author: User, body_source: str, *, parent: Post | None = None,
                capacity: Capacity = Capacity.PERSONAL, created_at: datetime | None = None,
                status: PostStatus | None = None, opening: bool = False) -> Post:
    """Add a post at the end of `thread`; the Markdown is rendered once, here. A published
    post takes the next position; one awaiting approval takes none until it is published
    (`publish`), so readers who cannot see it still get full pages. A thread's opening post
    always holds position 1."""
    status = status or policy.initial_post_status(author)
    published = status == PostStatus.PUBLISHED
    position = _next_position(thread) if published or opening else None
    html, linked = render_linking(body_source, _mentioned_members(body_source))
    post = Post(
        thread_id=thread.id, position=position, author_id=author.id,
        parent_id=parent.id if parent is not None else None,
        depth=(parent.depth + 1) if parent is not None else 0,
        body_source=body_source, body_html=html,
        capacity=Capacity(capacity), capacity_label=capacity_label(author, capacity),
        status=status, created_at=created_at or utcnow(),
    )
    db.session.add(post)
    db.session.flush()
    _record_mentions(post, linked, author)
    activity.post_added(post)
    if published:
        note_published(post)
    return post


def _next_position(thread: Thread) -> int:
    """The thread's next position, from an SQL-side increment: concurrent posters never get
    the same one."""
    position = db.session.execute(
        update(Thread).where(Thread.id == thread.id)
        .values(last_position=Thread.last_position + 1)
        .returning(Thread.last_position)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.expire(thread, ["last_position"])
    return position


def publish(post: Post) -> None:
    """Make a pending or rejected post visible to everyone, with its original time. It takes
    the thread's next position now (it held none while waiting), so it is shown at the end."""
    post.status, post.rejection_reason = PostStatus.PUBLISHED, None
    if post.position is None:
        post.position = _next_position(post.thread)
    db.session.flush()
    note_published(post)


def note_published(post: Post) -> None:
    """Count a newly visible post: thread and topic counts, last activity, last poster.
    Done with SQL-side increments so simultaneous posts are all counted."""
    when = post.created_at
    newer = Thread.last_activity_at <= when
    db.session.execute(
        update(Thread).where(Thread.id == post.thread_id)
        .values(post_count=Thread.post_count + 1,
                last_activity_at=case((newer, when), else_=Thread.last_activity_at),
                last_post_id=case((newer, post.id), else_=Thread.last_post_id),
                last_poster_id=case((newer, post.author_id), else_=Thread.last_poster_id))
        .execution_options(synchronize_session=False))
    topic_id = select(Thread.topic_id).where(Thread.id == post.thread_id).scalar_subquery()
    db.session.execute(
        update(Topic).where(Topic.id == topic_id)
        .values(post_count=Topic.post_count + 1,
                thread_count=Topic.thread_count + (1 if post.position == 1 else 0),
                last_activity_at=case((Topic.last_activity_at <= when, when),
                                      else_=Topic.last_activity_at))
        .execution_options(synchronize_session=False))
    _expire_counts(post.thread_id)
    activity.post_published(post)
    webhooks.emit("post.created", lambda: payloads.post(post))
    if post.position == 1:
        webhooks.emit("thread.created", lambda: payloads.thread(post.thread, post))


def _expire_counts(thread_id: int) -> None:
    """The counters changed in SQL; loaded threads and topics re-read them when next used."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Thread) and obj.id == thread_id:
            db.session.expire(obj, ["post_count", "last_position", "last_activity_at",
                                    "last_post_id", "last_poster_id"])
        elif isinstance(obj, Topic):
            db.session.expire(obj, ["post_count", "thread_count", "last_activity_at"])


def render(body_source: str, mentioned: dict[str, tuple[int, str]] | None = None) -> str:
    return render_linking(body_source, mentioned)[0]


def render_linking(body_source: str, mentioned: dict[str, tuple[int, str]] | None = None):
    """(HTML, ids of members mentioned in running text)."""
    host = current_app.config.get("SERVER_NAME") if has_app_context() else None
    return rendering.render_with_mentions(body_source, mentions=mentioned, host=host)


def capacity_label(author: User, capacity: Capacity | str) -> str:
    """The role line shown beside a post made in the member's role, fixed when written."""
    if Capacity(capacity) == Capacity.ROLE:
        return author.role_line[:250]
    return ""


def _mentioned_members(source: str) -> dict[str, tuple[int, str]]:
    handles = rendering.find_mentions(source)
    if not handles:
        return {}
    handle = func.replace(func.trim(User.display_name), " ", "_")
    # as typed, or lower-cased (SQLite lower-cases ASCII only, so "@Åsa_Ek" needs the first)
    rows = db.session.execute(
        select(User.id, User.display_name).where(
            or_(handle.in_(handles), func.lower(handle).in_({h.lower() for h in handles})),
            User.erased_at.is_(None)))
    found: dict[str, tuple[int, str]] = {}
    for user_id, name in rows:
        if rendering.mention_key(name) in {h.casefold() for h in handles}:
            found.setdefault(rendering.mention_key(name), (user_id, name))
    return found


def _record_mentions(post: Post, user_ids: set[int], author: User) -> set[int]:
    """Remember who a post names (the notifications feature reads these); never the author.
    Returns the members named for the first time."""
    known = set(db.session.scalars(select(Mention.user_id).where(Mention.post_id == post.id)))
    added = set()
    for user_id in sorted(user_ids):
        if user_id != author.id and user_id not in known:
            db.session.add(Mention(post_id=post.id, user_id=user_id))
            known.add(user_id)
            added.add(user_id)
    if added:
        db.session.flush()
    return added


# --- Checks on input ------------------------------------------------------------------------


def clean_body(body: str | None, field: str = "body") -> str:
    """Refuse an empty, whitespace-only or oversized body (stored as `storable` makes it)."""
    body = rendering.storable(body or "").replace("\r\n", "\n")
    if not body.strip():
        raise InvalidInput({field: _("Write something before posting.")}, code="empty_body")
    if len(body) > MAX_POST_CHARS:
        raise InvalidInput({field: _("A post may be at most %(max)d characters.",
                                     max=MAX_POST_CHARS)}, code="body_too_long")
    return body.strip("\n")


def clean_title(title: str | None, field: str = "title") -> str:
    title = " ".join(rendering.storable(title or "").split())
    if not title:
        raise InvalidInput({field: _("Give it a title.")}, code="empty_title")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInput({field: _("A title may be at most %(max)d characters.",
                                     max=MAX_TITLE_CHARS)}, code="title_too_long")
    return title


def clean_capacity(author: User, capacity: str | None) -> Capacity:
    try:
        value = Capacity(capacity or Capacity.PERSONAL)
    except ValueError:
        raise InvalidInput({"capacity": _("Choose a personal view or your role.")}) from None
    if value == Capacity.ROLE and not author.role_line:
        raise InvalidInput({"capacity": _("Add your title or organisation to your profile "
                                          "to speak in your role.")}, code="no_role")
    return value


# --- Member actions: enforce the rules, commit once -----------------------------------------


def get_topic(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(_("There is no such topic."))
    return topic


# A thread comes with its topic joined; the topic's tags and the thread's author (pages show
# the opening post's author line instead) are loaded only if asked for.
_THREAD_LOADING = (defaultload(Thread.topic).lazyload(Topic.tags), lazyload(Thread.author))


# With the thread, whether it is the archive of a non-public session (the first question
# any reader's permission asks of it), so that answer needs no query of its own.
_THREAD_BY_ID = (select(Thread, restricted_session_id()).options(*_THREAD_LOADING)
                 .where(Thread.id == bindparam("id")))


def get_thread(thread_id: int) -> Thread:
    thread = held(Thread, thread_id)
    if thread is None:
        row = db.session.execute(_THREAD_BY_ID, {"id": thread_id}).one_or_none()
        if row is None:
            raise NotFound(_("There is no such thread."))
        thread, archive_of = row
        note_archive(thread.id, archive_of)
    return thread


def get_post(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound(_("There is no such post."))
    return post


def start_thread(actor: User, topic_id: int, title: str, body: str,
                 capacity: str | None = None) -> Thread:
    """Members start threads in open topics (not closed or archived ones)."""
    topic = get_topic(topic_id)
    require_start(actor, topic)
    thread = new_thread(topic, actor, clean_title(title), clean_body(body),
                        capacity=clean_capacity(actor, capacity))
    db.session.commit()
    return thread


def reply(actor: User, thread_id: int, body: str, *, parent_id: int | None = None,
          capacity: str | None = None) -> Post:
    """Reply in a thread of an open topic; the parent, if named, must be in the same thread."""
    thread = get_thread(thread_id)
    require_reply(actor, thread)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Post, parent_id)
        if parent is None or parent.thread_id != thread.id:
            raise InvalidInput({"parent_id": _("You can only reply to a post in this thread.")},
                               code="parent_elsewhere")
    post = append_post(thread, actor, clean_body(body), parent=parent,
                       capacity=clean_capacity(actor, capacity))
    db.session.commit()
    return post


def edit_post(actor: User, post_id: int, body: str, capacity: str | None = None) -> Post:
    """Authors edit their own posts; the old text is kept as a revision."""
    post = get_post(post_id)
    require(actor, Action.EDIT_POST, post, _("You can only edit your own posts."))
    body = clean_body(body)
    capacity_value = clean_capacity(actor, capacity or post.capacity)
    if body == post.body_source and capacity_value == post.capacity:
        return post
    db.session.add(Revision(post_id=post.id, editor_id=actor.id, body_source=post.body_source))
    html, linked = render_linking(body, _mentioned_members(body))
    post.body_source, post.body_html = body, html
    if capacity_value != post.capacity:
        post.capacity = capacity_value
        post.capacity_label = capacity_label(actor, capacity_value)
    post.edited_at = utcnow()
    post.edit_count = Post.edit_count + 1
    activity.mentioned_in_edit(post, _record_mentions(post, linked, actor))
    db.session.commit()
    return post


def delete_post(actor: User, post_id: int) -> Post:
    """Authors delete their own posts softly: the text stays for moderators."""
    post = get_post(post_id)
    require(actor, Action.DELETE_POST, post, _("You can only delete your own posts."))
    post.deleted_at = utcnow()
    db.session.commit()
    return post


def react(actor: User, post_id: int, kind: str, *, on: bool = True) -> bool:
    """One reaction of each kind per member per post. Adding one twice is refused; `on=False`
    takes it back. Returns whether the reaction is now present."""
    post = get_post(post_id)
    try:
        kind_value = ReactionKind(kind)
    except ValueError:
        raise InvalidInput({"kind": _("Unknown reaction.")}, code="bad_reaction") from None
    require(actor, Action.REACT, post, _("You cannot react to this post."))
    if not on:
        db.session.execute(delete(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == actor.id, Reaction.kind == kind_value))
        db.session.commit()
        return False
    if has_reacted(actor.id, post.id, kind_value):
        raise InvalidInput({"kind": _("You have already reacted this way to that post.")},
                           code="already_reacted")
    db.session.add(Reaction(post_id=post.id, user_id=actor.id, kind=kind_value))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput({"kind": _("You have already reacted this way to that post.")},
                           code="already_reacted") from None
    return True


def has_reacted(user_id: int, post_id: int, kind: ReactionKind) -> bool:
    found = db.session.scalar(select(Reaction.id).where(
        Reaction.post_id == post_id, Reaction.user_id == user_id, Reaction.kind == kind))
    return found is not None


def require_start(actor, topic: Topic) -> None:
    """Members start threads only in open topics."""
    require(actor, Action.START_THREAD, topic, topic_refusal(actor, topic))


def require_reply(actor, thread: Thread) -> None:
    """Replies only in unlocked threads of open topics (moderators may reply in locked ones);
    a thread the actor may not see is not found."""
    if not can(actor, Action.VIEW_THREAD, thread):
        raise NotFound(_("There is no such thread."))
    require(actor, Action.REPLY, thread, topic_refusal(actor, thread.topic, thread))


def topic_refusal(actor, topic: Topic, thread: Thread | None = None) -> str | None:
    """A clearer message than 'no permission' when the topic or thread is the reason."""
    if not may_take_part(actor):
        return None
    if topic.status == TopicStatus.CLOSED:
        return _("This topic is closed: it takes no new threads or posts.")
    if topic.status == TopicStatus.ARCHIVED:
        return _("This topic is archived and read-only.")
    if thread is not None and thread.locked:
        return _("This thread is locked.")
    return None
