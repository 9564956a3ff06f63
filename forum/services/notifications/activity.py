"""Notices that posts cause: a reply to my post, a quote of my post, an @mention of me, a new
post in a thread I follow, a new thread in a topic or area I follow.

Discussion's building blocks call these inside their transactions (no commit here). A post
tells each member at most once, by the closest reason (reply, then quote, then mention,
then following); never its author, and only once it is published: a post waiting for
approval tells no one until a moderator publishes it."""
from __future__ import annotations

import re

from sqlalchemy import select

from forum.extensions import db
from forum.models.accounts import User
from forum.models.discussion import Mention, Post, PostStatus, Thread
from forum.models.notifications import FollowTarget
from forum.permissions import Action, can
from forum.services.notifications import following, store

# A quote block links back to the quoted post: "> **Name** [wrote](/p/123):"
_QUOTED = re.compile(r"^\s*>.*\]\((?:https?://[^/\s)]+)?/p/(\d{1,12})\)", re.MULTILINE)


def post_added(post: Post) -> None:
    """The author follows the thread they started or replied in (their default)."""
    if post.author is not None:
        following.auto_follow_thread(post.author, post.thread_id)


def post_published(post: Post) -> None:
    """Tell the people a newly visible post concerns."""
    if post.status != PostStatus.PUBLISHED or post.hidden_at is not None:
        return
    thread = db.session.get(Thread, post.thread_id)
    if thread is None or thread.hidden_at is not None or thread.merged_into_id is not None:
        return
    for user_id, kind in _recipients(post, thread):
        _tell(user_id, kind, post, thread)


def mentioned_in_edit(post: Post, user_ids: set[int]) -> None:
    """Members newly named in an edit hear of it (a published post only)."""
    if post.status != PostStatus.PUBLISHED or post.hidden_at is not None:
        return
    thread = db.session.get(Thread, post.thread_id)
    if thread is None or thread.hidden_at is not None:
        return
    for user_id in sorted(user_ids):
        _tell(user_id, "mention", post, thread)


def _recipients(post: Post, thread: Thread) -> list[tuple[int, str]]:
    chosen: dict[int, str] = {post.author_id: "self"}

    def add(user_ids, kind: str) -> None:
        for user_id in user_ids:
            chosen.setdefault(user_id, kind)

    if post.parent_id is not None:
        add(db.session.scalars(select(Post.author_id).where(Post.id == post.parent_id)),
            "reply")
    quoted = {int(n) for n in _QUOTED.findall(post.body_source or "")}
    if quoted:
        add(db.session.scalars(select(Post.author_id).where(
            Post.id.in_(quoted), Post.thread_id == thread.id).order_by(Post.author_id)),
            "quote")
    add(db.session.scalars(select(Mention.user_id).where(Mention.post_id == post.id)
                           .order_by(Mention.user_id)), "mention")
    if post.position == 1:
        add(following.followers(FollowTarget.TOPIC, thread.topic_id), "new_thread")
        add(following.followers(FollowTarget.AREA, thread.topic.focus_area_id), "new_thread")
    else:
        add(following.followers(FollowTarget.THREAD, thread.id), "new_post")
    return [(user_id, kind) for user_id, kind in chosen.items() if kind != "self"]


def _tell(user_id: int, kind: str, post: Post, thread: Thread) -> None:
    member = db.session.get(User, user_id)
    if member is None or not can(member, Action.VIEW_THREAD, thread):
        return
    params = {"actor": post.author.display_name, "title": thread.title,
              "post_id": post.id, "thread_id": thread.id}
    if kind == "new_thread":
        params["where"] = thread.topic.title
    store.notify(user_id, kind, params, actor_id=post.author_id, thread_id=thread.id,
                 post_id=post.id)
