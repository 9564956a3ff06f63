"""Read models for the forum pages: focus area, topic, thread page, permalinks, revisions.

A thread page is a range of positions (page n holds positions (n-1)*size+1 .. n*size), so the
first and the last page cost the same, and the number of SQL queries does not depend on the
size of the thread."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from math import ceil

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased, defer, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from forum.exceptions import NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import insert_or_merge
from forum.models.discussion import (
    FocusArea,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    ReadMark,
    Revision,
    Thread,
    Topic,
    TopicStatus,
)
from forum.models.moderation import Flag
from forum.permissions import Action, can, require
from forum.permissions.archives import visible_threads_clause
from forum.permissions.core import is_member, moderates_area, plain_user
from forum.services.discussion import posting
from forum.services.discussion.counts import shown_counts
from forum.services.discussion.curation import get_area

MAX_INDENT = 3  # replies deeper than this are shown flat, with "in reply to ..."


def per_page() -> int:
    return int(current_app.config.get("POSTS_PER_PAGE", 20))


# --- Focus area and topic pages -------------------------------------------------------------


@dataclass
class AreaPage:
    area: FocusArea
    topics: list[Topic]
    archived: list[Topic]
    counts: dict[int, tuple[int, int]]  # topic id → (threads, posts) the viewer may see


def area_page(viewer, slug: str) -> AreaPage:
    """Active topics (pinned first, then by activity) and, apart, the archived ones."""
    viewer = plain_user(viewer)
    area = get_area(slug)
    topics = list(db.session.scalars(
        select(Topic).where(Topic.focus_area_id == area.id)
        .order_by(Topic.pinned.desc(), Topic.featured.desc(), Topic.last_activity_at.desc(),
                  Topic.id.desc())))
    active = [t for t in topics if t.status != TopicStatus.ARCHIVED]
    archived = [t for t in topics if t.status == TopicStatus.ARCHIVED]
    return AreaPage(area, active, archived, shown_counts(viewer, topics))


@dataclass
class ThreadRow:
    thread: Thread
    last_poster: str | None
    unread: bool
    new: bool


@dataclass
class TopicPage:
    topic: Topic
    rows: list[ThreadRow]
    page: int
    has_next: bool


@cache
def _thread_list(moderator: bool, signed_in: bool):
    """The statement behind a topic page, built once per kind of viewer. Everyone but the
    area's moderators misses hidden threads and threads whose opening post awaits approval,
    except their own; members also get their read mark per thread."""
    poster, last = aliased(User), aliased(Post)
    stmt = (select(Thread, poster.display_name, last.position)
            .options(lazyload(Thread.topic),  # the page's own topic, from the identity map
                     joinedload(Thread.author).load_only(User.id, User.display_name,
                                                         User.sector))
            .where(Thread.topic_id == bindparam("topic"), Thread.merged_into_id.is_(None))
            .outerjoin(poster, poster.id == Thread.last_poster_id)
            .outerjoin(last, last.id == Thread.last_post_id)
            .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))
    if not moderator:
        stmt = stmt.where(or_(and_(Thread.hidden_at.is_(None), Thread.post_count > 0),
                              Thread.author_id == bindparam("viewer")))
    if signed_in:
        stmt = stmt.add_columns(ReadMark.last_read_position).outerjoin(
            ReadMark, and_(ReadMark.thread_id == Thread.id,
                           ReadMark.user_id == bindparam("viewer")))
    return stmt


def topic_page(viewer, topic_id: int, page: int = 1) -> TopicPage:
    """Threads, pinned first, then by last activity, with last poster and unread markers."""
    viewer = plain_user(viewer)
    topic = posting.get_topic(topic_id)
    size = int(current_app.config.get("THREADS_PER_PAGE", 30))
    page = max(page, 1)
    signed_in = is_member(viewer)
    stmt = _thread_list(moderates_area(viewer, topic.focus_area_id), signed_in).where(
        visible_threads_clause(viewer))
    fetched = db.session.execute(stmt, {
        "topic": topic.id, "viewer": viewer.id if signed_in else -1,
        "limit": size + 1, "offset": (page - 1) * size}).all()
    rows = []
    for row in fetched[:size]:
        thread, name, last_position = row[0], row[1], row[2]
        mark = row[3] if signed_in else None
        rows.append(ThreadRow(thread, name, signed_in and mark is not None
                              and (last_position or 0) > mark, signed_in and mark is None))
    return TopicPage(topic, rows, page, len(fetched) > size)


# --- Thread page ----------------------------------------------------------------------------


@dataclass
class PostItem:
    post: Post
    level: int
    reply_to: tuple[int, str] | None  # (post id, author name) when not shown by indentation
    counts: dict[ReactionKind, int] = field(default_factory=lambda: dict.fromkeys(ReactionKind, 0))
    mine: set[ReactionKind] = field(default_factory=set)
    # What the viewer may do with the post, decided once here by the permission rules.
    readable: bool = True  # the text of a hidden or deleted post
    may_react: bool = False
    may_edit: bool = False  # edit and delete (own posts)
    may_flag: bool = False
    flagged: bool = False  # the viewer has flagged it (and waits for a moderator)
    may_moderate: bool = False
    may_appeal: bool = False  # the author of a hidden or rejected post

    @property
    def reacted(self) -> bool:
        return any(self.counts.values())


@dataclass
class ThreadPage:
    thread: Thread
    items: list[PostItem]
    page: int
    pages: int
    first_position: int


# One page of posts, built once per kind of page: the page shows the rendered HTML (not the
# source), of each author only what the author line needs, and the name of the author each
# post answers (for "in reply to ..." when that post is on an earlier page), so every page
# costs the same. Each row also carries how far the viewer had read the thread (the same
# value on every row).
_parent, _parent_author = aliased(Post), aliased(User)
_READ_MARK = select(ReadMark.last_read_position).where(  # also sends a member to unread posts
    ReadMark.user_id == bindparam("viewer"), ReadMark.thread_id == bindparam("thread"))
_viewers_mark = _READ_MARK.scalar_subquery()
# Whether the viewer has flagged the post already (then the page offers no flag link): a
# lookup on the flags' unique (reporter, target) index inside the page's own statement.
_flagged_by_viewer = (select(Flag.id).where(
    Flag.reporter_id == bindparam("viewer"), Flag.target_type == "post",
    Flag.target_id == Post.id).exists())


@cache
def _page_of_posts(unpublished: str):
    """Positions low..high. Posts awaiting approval (or rejected) hold no position, so every
    reader gets full pages; the last page adds those the viewer may see: `own` (the
    author's) or `all` (the area's moderators)."""
    where = Post.position.between(bindparam("low"), bindparam("high"))
    order = [Post.position]
    if unpublished != "none":
        waiting = Post.position.is_(None)
        if unpublished == "own":
            waiting = and_(waiting, Post.author_id == bindparam("viewer"))
        where, order = or_(where, waiting), [Post.position.is_(None), Post.position, Post.id]
    return (
        select(Post, _parent_author.display_name, _viewers_mark, _flagged_by_viewer)
        .options(defer(Post.body_source),
                 joinedload(Post.author).load_only(User.id, User.display_name, User.sector,
                                                   User.organisation, User.verified_at))
        .outerjoin(_parent, _parent.id == Post.parent_id)
        .outerjoin(_parent_author, _parent_author.id == _parent.author_id)
        .where(Post.thread_id == bindparam("thread"), where)
        .order_by(*order))


def thread_page(viewer, thread_id: int, page: int = 1, *, mark_read: bool = True) -> ThreadPage:
    """One page of a thread as an indented tree, with reaction counts; records how far a
    signed-in member has read. A fixed handful of queries whatever the thread's size."""
    viewer = plain_user(viewer)
    thread = posting.get_thread(thread_id)
    if not can(viewer, Action.VIEW_THREAD, thread):  # 404: its existence is not told either
        raise NotFound(_("This thread is not available."))
    size = per_page()
    pages = max(1, ceil(thread.last_position / size))
    page = min(max(page, 1), pages)
    low, high = (page - 1) * size + 1, page * size
    member = is_member(viewer)
    unpublished = "none"
    if member and page == pages:
        unpublished = "all" if moderates_area(viewer, thread.topic.focus_area_id) else "own"
    rows = db.session.execute(_page_of_posts(unpublished), {
        "thread": thread.id, "low": low, "high": high,
        "viewer": viewer.id if member else -1}).all()
    mark = rows[0][2] if rows else None  # how far the viewer had read
    posts, parent_names, flagged = [], {}, set()
    for post, parent_name, _mark, flagged_by_viewer in rows:
        set_committed_value(post, "thread", thread)  # the rules ask for it: it is this one
        if can(viewer, Action.VIEW_POST, post):
            posts.append(post)
            if post.parent_id is not None:
                parent_names[post.parent_id] = parent_name or ""
            if flagged_by_viewer:
                flagged.add(post.id)
    items = _as_tree(posts, parent_names)
    _add_reactions(items, viewer)
    _decide(items, viewer, flagged)
    seen = max((p.position for p in posts if p.position is not None), default=None)
    if mark_read and member and seen is not None and (mark is None or mark < seen):
        _mark_read(viewer.id, thread.id, seen)
    return ThreadPage(thread, items, page, pages, low)


def _as_tree(posts: list[Post], names: dict[int, str]) -> list[PostItem]:
    """Order a page's posts as a tree: each reply right after its parent's earlier replies.
    `names` gives the author of each post replied to."""
    on_page = {p.id: p for p in posts}
    children: dict[int | None, list[Post]] = {}
    for post in posts:
        key = post.parent_id if post.parent_id in on_page else None
        children.setdefault(key, []).append(post)
    items: list[PostItem] = []

    def walk(parent_id: int | None, level: int) -> None:
        for post in children.get(parent_id, []):
            reply_to = None
            if post.parent_id and (post.parent_id not in on_page or level > MAX_INDENT):
                reply_to = (post.parent_id, names.get(post.parent_id, ""))
            items.append(PostItem(post, min(level, MAX_INDENT), reply_to))
            walk(post.id, level + 1)

    walk(None, 0)
    return items


# Statements that thread pages run are built once (SQLAlchemy then reuses their cache key and
# compiled form): reaction counts for a page (the read mark, `_READ_MARK`, is above).
_REACTION_COUNTS = (
    select(Reaction.post_id, Reaction.kind, func.count(),
           func.max(case((Reaction.user_id == bindparam("viewer"), 1), else_=0)))
    .where(Reaction.post_id.in_(bindparam("posts", expanding=True)))
    .group_by(Reaction.post_id, Reaction.kind))


def _add_reactions(items: list[PostItem], viewer) -> None:
    """Counts per reaction kind, and which ones are the viewer's own, in one query."""
    by_id = {item.post.id: item for item in items}
    for post_id, (counts, mine) in reaction_counts(list(by_id), viewer).items():
        by_id[post_id].counts.update(counts)
        by_id[post_id].mine.update(mine)


def reaction_counts(post_ids: list[int], viewer) -> dict[int, tuple[dict, set]]:
    """For each post that has reactions: (count per kind, the kinds that are the viewer's)."""
    if not post_ids:
        return {}
    viewer_id = viewer.id if is_member(viewer) else -1
    found: dict[int, tuple[dict, set]] = {}
    for post_id, kind, count, mine in db.session.execute(
            _REACTION_COUNTS, {"posts": post_ids, "viewer": viewer_id}):
        counts, kinds = found.setdefault(post_id, ({}, set()))
        counts[ReactionKind(kind)] = count
        if mine:
            kinds.add(ReactionKind(kind))
    return found


def _decide(items: list[PostItem], viewer, flagged: set[int]) -> None:
    """Record on each item what the viewer may do with its post (a post the viewer has
    flagged offers no second flag)."""
    member_id = viewer.id if is_member(viewer) else None
    for item in items:
        post = item.post
        item.readable = can(viewer, Action.VIEW_HIDDEN_TEXT, post)
        if member_id is None:
            continue
        item.may_react = can(viewer, Action.REACT, post)
        item.may_edit = post.author_id == member_id and can(viewer, Action.EDIT_POST, post)
        item.flagged = post.id in flagged
        item.may_flag = not item.flagged and can(viewer, Action.FLAG, post)
        item.may_moderate = can(viewer, Action.MODERATE, post)
        item.may_appeal = post.author_id == member_id and (
            post.hidden_at is not None or post.status == PostStatus.REJECTED)


def _mark_read(user_id: int, thread_id: int, position: int) -> None:
    """Move the member's read mark forward (never back), in one upsert statement. It runs on
    its own short transaction so the page's loaded rows are not expired by a commit. The caller
    calls it only when the page goes past the mark: a page read again writes nothing."""
    stmt = insert_or_merge(ReadMark).values(user_id=user_id, thread_id=thread_id,
                                            last_read_position=position)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ReadMark.user_id, ReadMark.thread_id],
        set_={"last_read_position": stmt.excluded.last_read_position},
        where=ReadMark.last_read_position < stmt.excluded.last_read_position)
    with db.engine.begin() as connection:
        connection.execute(stmt)


def first_unread(viewer, thread_id: int) -> tuple[int, int | None] | None:
    """(page, post id) of the first post the member has not read; None for guests."""
    if not is_member(viewer):
        return None
    thread = posting.get_thread(thread_id)
    mark = db.session.scalar(_READ_MARK, {"viewer": viewer.id, "thread": thread.id})
    if mark is None:
        return None
    row = db.session.execute(
        select(Post.id, Post.position).where(Post.thread_id == thread.id, Post.position > mark)
        .order_by(Post.position).limit(1)).first()
    size = per_page()
    if row is None:
        return max(1, ceil(thread.last_position / size)), None
    return (row.position - 1) // size + 1, row.id


def permalink(viewer, post_id: int) -> tuple[int, int]:
    """(thread id, page) where a post is shown."""
    post = posting.get_post(post_id)
    if not can(viewer, Action.VIEW_POST, post) or not can(viewer, Action.VIEW_THREAD, post.thread):
        raise NotFound(_("There is no such post."))
    if post.position is None:  # awaiting approval: shown on the last page to who may see it
        return post.thread_id, max(1, ceil(post.thread.last_position / per_page()))
    return post.thread_id, (post.position - 1) // per_page() + 1


# --- Revisions ------------------------------------------------------------------------------


@dataclass
class RevisionDiff:
    revision: Revision
    lines: list[tuple[str, str]]  # (kind: "add" | "del" | "same" | "hunk", text)


def revisions(viewer, post_id: int) -> tuple[Post, list[RevisionDiff]]:
    """Every edit of a post as a line diff, oldest first, for anyone who may read the post."""
    post = posting.get_post(post_id)
    if not can(viewer, Action.VIEW_THREAD, post.thread):
        raise NotFound(_("There is no such post."))
    require(viewer, Action.VIEW_REVISIONS, post, _("You may not see this post's history."))
    history = list(db.session.scalars(post.revisions.select().order_by(Revision.id)))
    texts = [r.body_source for r in history] + [post.body_source]
    hide = not moderates_area(viewer, post.thread.topic.focus_area_id)
    diffs = []
    for i, revision in enumerate(history):
        if hide and revision.moderator_only:
            diffs.append(RevisionDiff(revision, []))
            continue
        diffs.append(RevisionDiff(revision, _diff(texts[i], texts[i + 1])))
    return post, diffs


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        lines.append((kind, line[1:] if kind != "hunk" else "…"))
    return lines
