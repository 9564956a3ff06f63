"""Read models for API clients: lists walked in a fixed key order (ids, or positions within a
thread), so a client paging through them while others write neither skips nor repeats a row.
Each function returns up to `limit + 1` rows after the given key; the extra row tells the
caller there is more. What the viewer may see is decided here by the permission rules."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, union_all
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from forum.exceptions import NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.discussion import (
    FocusArea,
    Post,
    PostRow,
    ReactionKind,
    Revision,
    Thread,
    Topic,
)
from forum.permissions import Action, can, require
from forum.permissions.archives import visible_threads_clause
from forum.permissions.core import is_member, moderates_area, plain_user
from forum.services.discussion import posting, reading
from forum.services.discussion.counts import ShownTopic, shown_topics
from forum.services.discussion.curation import get_area


def areas(after_id: int, limit: int) -> list[FocusArea]:
    return list(db.session.scalars(select(FocusArea).where(FocusArea.id > after_id)
                                   .order_by(FocusArea.id).limit(limit + 1)))


def topics(viewer, slug: str, after_id: int, limit: int,
           ) -> tuple[FocusArea, list[ShownTopic]]:
    """An area's topics (archived ones too: `status` tells), oldest first, with the counts
    the viewer may see."""
    area = get_area(slug)
    rows = db.session.scalars(select(Topic).where(Topic.focus_area_id == area.id,
                                                  Topic.id > after_id)
                              .order_by(Topic.id).limit(limit + 1))
    return area, shown_topics(plain_user(viewer), list(rows))


def topic(viewer, topic_id: int) -> ShownTopic:
    """One topic, with the counts the viewer may see."""
    return shown_topics(plain_user(viewer), [posting.get_topic(topic_id)])[0]


def threads(viewer, topic_id: int, after_id: int, limit: int) -> tuple[Topic, list[Thread]]:
    """A topic's threads, oldest first; `visible_thread` tells which the viewer may see
    (archives of sessions the viewer may not see are not even fetched)."""
    viewer = plain_user(viewer)
    topic = posting.get_topic(topic_id)
    rows = db.session.scalars(
        select(Thread).where(Thread.topic_id == topic.id, Thread.id > after_id,
                             visible_threads_clause(viewer))
        .options(lazyload(Thread.topic), joinedload(Thread.author).load_only(
            User.id, User.display_name, User.sector, User.organisation, User.title,
            User.verified_at))
        .order_by(Thread.id).limit(limit + 1)).all()
    for thread in rows:
        set_committed_value(thread, "topic", topic)
    return topic, list(rows)


def visible_thread(viewer, thread: Thread) -> bool:
    return can(viewer, Action.VIEW_THREAD, thread)


def thread(viewer, thread_id: int) -> Thread:
    """A thread the viewer may see (others get 404, as hidden threads do on the pages)."""
    found = posting.get_thread(thread_id)
    if not can(viewer, Action.VIEW_THREAD, found):
        raise NotFound(_("There is no such thread."))
    return found


@dataclass
class ListedPost:
    """One post as the viewer may see it: the text only when they may read it."""

    post: Post | PostRow
    body: str | None
    body_html: str | None
    reactions: dict[str, int] = field(default_factory=dict)
    my_reactions: list[str] = field(default_factory=list)

    def __getattr__(self, name: str):  # id, position, author, created_at ...: the post's own
        return getattr(self.post, name)

    @property
    def deleted(self) -> bool:
        return self.post.deleted_at is not None

    @property
    def hidden(self) -> dict | None:
        if self.post.hidden_at is None:
            return None
        return {"at": self.post.hidden_at, "reason": self.post.hidden_reason or ""}


_POSTS = (select(Post).options(joinedload(Post.author).load_only(
    User.id, User.display_name, User.sector, User.organisation, User.title, User.verified_at,
    User.erased_at)))
# A thread's posts as plain rows (PostRow: no ORM objects to build for a page of 20 to 100),
# built once: composing a statement costs more than running it.
_ROWS = (select(*PostRow.columns()).select_from(Post.__table__.join(User.__table__,
                                                                    User.id == Post.author_id))
         .where(Post.thread_id == bindparam("thread")))
_POSTS_AFTER = (_ROWS.where(Post.position > bindparam("after"))
                .order_by(Post.position).limit(bindparam("limit")))
# For members, the same statement also brings the posts that hold no position (awaiting
# approval or rejected): a member's last page would otherwise need a query of its own.
_POSTS_AFTER_AND_UNPLACED = union_all(select(_POSTS_AFTER.subquery()),
                                      _ROWS.where(Post.position.is_(None)))


def posts(viewer, thread_id: int, after_position: int, limit: int,
          ) -> tuple[Thread, list[PostRow], list[PostRow]]:
    """A thread's posts in position order (replies included: `parent_id` names the post each
    answers). New posts get the next position, so the order never changes. Third, the posts
    awaiting approval (or rejected) that the viewer may see, oldest first: their author's,
    or all for the area's moderators; they hold no position, so lists show them last."""
    viewer = plain_user(viewer)
    found = thread(viewer, thread_id)
    params = {"thread": found.id, "after": after_position, "limit": limit + 1}
    if not is_member(viewer):
        return found, [PostRow.of(row, found) for row in
                       db.session.execute(_POSTS_AFTER, params)], []
    placed, unplaced = [], []
    for row in db.session.execute(_POSTS_AFTER_AND_UNPLACED, params):
        post = PostRow.of(row, found)
        (unplaced if post.position is None else placed).append(post)
    placed.sort(key=lambda p: p.position)  # a union keeps no order
    unplaced.sort(key=lambda p: p.id)
    return found, placed, [p for p in unplaced if visible_post(viewer, p)]


def replies(viewer, post_id: int, after_id: int, limit: int) -> tuple[Post, list[Post]]:
    """The direct replies to a post, oldest first."""
    parent = post(viewer, post_id).post
    rows = db.session.scalars(_POSTS.where(Post.parent_id == parent.id, Post.id > after_id)
                              .order_by(Post.id).limit(limit + 1)).all()
    for row in rows:
        set_committed_value(row, "thread", parent.thread)
    return parent, list(rows)


def visible_post(viewer, post: Post | PostRow) -> bool:
    return can(viewer, Action.VIEW_POST, post)


_ZERO_COUNTS = {kind.value: 0 for kind in ReactionKind}  # every kind, in the kinds' order
_NO_REACTIONS: tuple[dict, set] = ({}, set())


def as_listed(viewer, posts_: list[Post | PostRow]) -> list[ListedPost]:
    """The posts with their reaction counts (one query) and the text the viewer may read."""
    viewer = plain_user(viewer)
    counts = reading.reaction_counts([p.id for p in posts_], viewer)
    listed = []
    for item in posts_:
        readable = can(viewer, Action.VIEW_HIDDEN_TEXT, item)
        kinds, mine = counts.get(item.id, _NO_REACTIONS)
        shown = dict(_ZERO_COUNTS)
        for kind, count in kinds.items():
            shown[kind.value] = count
        listed.append(ListedPost(
            item, item.body_source if readable else None, item.body_html if readable else None,
            shown, sorted(k.value for k in mine)))
    return listed


def post(viewer, post_id: int) -> ListedPost:
    """One post the viewer may see, in a thread they may see (else 404, as permalinks do)."""
    viewer = plain_user(viewer)
    found = posting.get_post(post_id)
    if not can(viewer, Action.VIEW_POST, found) or not can(viewer, Action.VIEW_THREAD,
                                                           found.thread):
        raise NotFound(_("There is no such post."))
    return as_listed(viewer, [found])[0]


@dataclass
class RevisionItem:
    id: int
    editor: User
    created_at: datetime
    body: str | None  # None: personal data was edited out (moderators see it)
    moderator_only: bool
    reason: str | None


def revisions(viewer, post_id: int) -> list[RevisionItem]:
    """A post's earlier texts, oldest first, for anyone who may read the post; the text of
    a personal-data edit only for the area's moderators."""
    found = posting.get_post(post_id)
    if not can(viewer, Action.VIEW_THREAD, found.thread):
        raise NotFound(_("There is no such post."))
    require(viewer, Action.VIEW_REVISIONS, found, _("You may not see this post's history."))
    moderator = moderates_area(viewer, found.thread.topic.focus_area_id)
    rows = db.session.scalars(found.revisions.select().order_by(Revision.id))
    return [RevisionItem(r.id, r.editor, r.created_at,
                         r.body_source if moderator or not r.moderator_only else None,
                         r.moderator_only, r.reason if moderator else None) for r in rows]
