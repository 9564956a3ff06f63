"""The thread and post counts of topics as one reader may see them: the stored counters,
less the archive threads of sessions the reader may not see (one small query per page)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from forum.extensions import db
from forum.models.discussion import Thread, Topic
from forum.permissions.archives import hidden_archives_clause


def shown_counts(reader, topics: list[Topic]) -> dict[int, tuple[int, int]]:
    """Topic id → (threads, posts) for `reader`, for each of `topics`."""
    counts = {t.id: (t.thread_count, t.post_count) for t in topics}
    if not counts:
        return counts
    hidden = db.session.execute(
        select(Thread.topic_id, func.sum(case((Thread.post_count > 0, 1), else_=0)),
               func.sum(Thread.post_count))
        .where(Thread.topic_id.in_(sorted(counts)), Thread.merged_into_id.is_(None),
               hidden_archives_clause(reader))
        .group_by(Thread.topic_id))
    for topic_id, threads, posts in hidden:
        shown_threads, shown_posts = counts[topic_id]
        counts[topic_id] = (max(shown_threads - int(threads or 0), 0),
                            max(shown_posts - int(posts or 0), 0))
    return counts


@dataclass
class ShownTopic:
    """A topic with the counts one reader may see (everything else is the topic's own)."""

    topic: Topic
    thread_count: int
    post_count: int

    def __getattr__(self, name: str):
        return getattr(self.topic, name)


def shown_topics(reader, topics: list[Topic]) -> list[ShownTopic]:
    found = shown_counts(reader, topics)
    return [ShownTopic(t, *found[t.id]) for t in topics]
