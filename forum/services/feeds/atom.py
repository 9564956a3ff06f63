"""Atom feeds (RFC 4287) of public discussion: the latest activity, one focus area, one
topic, one thread. Written with feedgen; titled in the site's default language."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from forum.exceptions import NotFound
from forum.models.discussion import Post
from forum.services.discussion import posting
from forum.services.discussion.curation import get_area
from forum.services.feeds import ids, public

# The `updated` of a feed with no entries yet (Atom requires one; a fixed value keeps the
# feed's ETag stable until something is posted).
NOTHING_YET = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Feed:
    body: bytes
    updated: datetime


@dataclass
class _Head:
    key: str  # the feed's part of its tag: id
    title: str
    subtitle: str
    page: str  # the HTML page the feed follows
    self_url: str


def latest() -> Feed:
    """The newest public posts of the whole forum."""
    with force_locale(ids.language()):
        head = _Head("feed/latest", _("Latest activity · Rådslag"),
                     _("New threads and replies in every focus area."),
                     url_for("home.index", _external=True),
                     url_for("feeds.latest", _external=True))
    return _render(head, public.latest_posts())


def area(slug: str) -> Feed:
    area = get_area(slug)
    with force_locale(ids.language()):
        head = _Head(f"feed/area/{area.id}", _("%(area)s · Rådslag",
                                               area=area.name(ids.language())),
                     _("New threads and replies in this focus area."),
                     url_for("topics.area", slug=area.slug, _external=True),
                     url_for("feeds.area", slug=area.slug, _external=True))
    return _render(head, public.latest_posts(area_id=area.id))


def topic(topic_id: int) -> Feed:
    topic = posting.get_topic(topic_id)
    with force_locale(ids.language()):
        head = _Head(f"feed/topic/{topic.id}", _("%(topic)s · Rådslag", topic=topic.title),
                     _("New threads and replies in this topic."),
                     url_for("topics.show", topic_id=topic.id, _external=True),
                     url_for("feeds.topic", topic_id=topic.id, _external=True))
    return _render(head, public.latest_posts(topic_id=topic.id))


def thread(thread_id: int) -> Feed:
    """A thread's newest posts; a thread nobody may see without signing in has no feed
    (the answer is 'not found', as for a thread that does not exist)."""
    thread = posting.get_thread(thread_id)
    if not public.public_thread(thread):
        raise NotFound(_("There is no such thread."))
    with force_locale(ids.language()):
        head = _Head(f"feed/thread/{thread.id}", _("%(thread)s · Rådslag", thread=thread.title),
                     _("New replies in this thread."),
                     url_for("threads.show", thread_id=thread.id, _external=True),
                     url_for("feeds.thread", thread_id=thread.id, _external=True))
    return _render(head, public.latest_posts(thread_id=thread.id))


def _render(head: _Head, posts: list[Post]) -> Feed:
    language = ids.language()
    updated = max((_changed(p) for p in posts), default=NOTHING_YET)
    fg = FeedGenerator()
    fg.id(ids.tag(head.key))
    fg.title(head.title)
    fg.subtitle(head.subtitle)
    fg.author({"name": "Rådslag", "uri": url_for("home.index", _external=True)})
    fg.link(href=head.page, rel="alternate", type="text/html")
    fg.link(href=head.self_url, rel="self", type="application/atom+xml")
    fg.language(language)
    fg.generator("Rådslag")
    fg.updated(updated)
    with force_locale(language):
        for post in posts:
            _entry(fg, post)
    return Feed(fg.atom_str(pretty=True), updated)


def _entry(fg: FeedGenerator, post: Post) -> None:
    entry = fg.add_entry(order="append")
    entry.id(ids.tag("post", post.id))
    title = post.thread.title
    entry.title(title if post.position == 1 else _("Re: %(title)s", title=title))
    entry.link(href=url_for("threads.permalink", post_id=post.id, _external=True),
               rel="alternate", type="text/html")
    entry.author({"name": post.author.display_name,
                  "uri": url_for("profiles.show", user_id=post.author_id, _external=True)})
    entry.published(post.created_at)
    entry.updated(_changed(post))
    entry.category(term=post.thread.topic.focus_area.slug,
                   label=post.thread.topic.focus_area.name(ids.language()))
    entry.content(post.body_html, type="html")  # sanitised when it was written


def _changed(post: Post) -> datetime:
    return post.edited_at or post.created_at
