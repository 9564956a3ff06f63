"""Focus areas, topics, threads, posts, revisions and reactions."""
from __future__ import annotations

import json

from flask import current_app, request
from flask_babel import get_locale
from marshmallow import fields, validate

from forum import fragments
from forum.blueprints.api.schemas.common import Member, link, page_of
from forum.blueprints.api.schemas.fast import FastSchema
from forum.models.discussion import Capacity, PostStatus, ReactionKind, TopicStatus
from forum.services.discussion.posting import MAX_POST_CHARS, MAX_TITLE_CHARS


def _locale() -> str:
    return str(get_locale() or "sv")


class Area(FastSchema):
    """A focus area; name and description in the request's language (sv or en)."""

    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.Function(lambda a: a.name(_locale()), required=True,
                           metadata={"type": "string"})
    description = fields.Function(lambda a: a.description(_locale()), required=True,
                                  metadata={"type": "string"})
    url = link("api_discussion.area", slug="slug")
    html_url = link("topics.area", slug="slug")
    topics_url = link("api_discussion.topics", slug="slug")


class Topic(FastSchema):
    id = fields.Integer(required=True)
    focus_area = fields.Function(lambda t: t.focus_area.slug, required=True,
                                 metadata={"type": "string"})
    title = fields.String(required=True)
    framing = fields.String(attribute="framing_source", required=True,
                            metadata={"description": "Markdown source"})
    framing_html = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in TopicStatus]))
    pinned = fields.Boolean(required=True)
    featured = fields.Boolean(required=True)
    tags = fields.Function(lambda t: [tag.name for tag in t.tags], required=True,
                           metadata={"type": "array", "items": {"type": "string"}})
    thread_count = fields.Integer(required=True)
    post_count = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    last_activity_at = fields.DateTime(required=True)
    url = link("api_discussion.topic", topic_id="id")
    html_url = link("topics.show", topic_id="id")
    threads_url = link("api_discussion.threads", topic_id="id")


class Hidden(FastSchema):
    at = fields.DateTime(required=True)
    reason = fields.String(required=True)


class Thread(FastSchema):
    id = fields.Integer(required=True)
    topic_id = fields.Integer(required=True)
    title = fields.String(required=True)
    author = fields.Nested(Member, required=True)
    post_count = fields.Integer(required=True, metadata={"description": "Published posts"})
    pinned = fields.Boolean(required=True)
    locked = fields.Boolean(required=True)
    hidden = fields.Function(lambda t: Hidden().dump({"at": t.hidden_at,
                                                      "reason": t.hidden_reason or ""})
                             if t.hidden_at else None, required=True,
                             metadata={"type": ["object", "null"]})
    merged_into_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    last_activity_at = fields.DateTime(required=True)
    url = link("api_discussion.thread", thread_id="id")
    html_url = link("threads.show", thread_id="id")
    posts_url = link("api_discussion.posts", thread_id="id")


REACTIONS = [k.value for k in ReactionKind]


class Post(FastSchema):
    """A post or reply. `body` and `body_html` are null when the post is hidden or deleted
    and the caller may not read it (then `hidden` or `deleted` says why)."""

    id = fields.Integer(required=True)
    thread_id = fields.Integer(required=True)
    position = fields.Integer(required=True, allow_none=True, metadata={
        "description": "1, 2, 3 ... in the thread; null while the post awaits approval"})
    parent_id = fields.Integer(required=True, allow_none=True,
                               metadata={"description": "The post this one replies to"})
    depth = fields.Integer(required=True)
    author = fields.Nested(Member, required=True)
    capacity = fields.String(required=True, validate=validate.OneOf([c.value for c in Capacity]))
    capacity_label = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in PostStatus]))
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(required=True, allow_none=True)
    edit_count = fields.Integer(required=True)
    deleted = fields.Boolean(required=True)
    hidden = fields.Nested(Hidden, required=True, allow_none=True)
    body = fields.String(required=True, allow_none=True, metadata={"description": "Markdown"})
    body_html = fields.String(required=True, allow_none=True)
    reactions = fields.Dict(keys=fields.String(validate=validate.OneOf(REACTIONS)),
                            values=fields.Integer(), required=True)
    my_reactions = fields.List(fields.String(validate=validate.OneOf(REACTIONS)), required=True)
    url = link("api_discussion.post", post_id="id")
    html_url = link("threads.permalink", post_id="id")


class Revision(FastSchema):
    """An earlier text of a post. `body` is null where personal data was edited out."""

    id = fields.Integer(required=True)
    editor = fields.Nested(Member, required=True)
    created_at = fields.DateTime(required=True)
    body = fields.String(required=True, allow_none=True)
    moderator_only = fields.Boolean(required=True)
    reason = fields.String(required=True, allow_none=True)


class Reactions(FastSchema):
    post_id = fields.Integer(attribute="id", required=True)
    reactions = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    my_reactions = fields.List(fields.String(), required=True)


AreaPage = page_of(Area, "AreaPage")
TopicPage = page_of(Topic, "TopicPage")
ThreadPage = page_of(Thread, "ThreadPage")
PostPage = page_of(Post, "PostPage")
RevisionList = FastSchema.from_dict({"items": fields.List(fields.Nested(Revision), required=True)},
                                name="RevisionList")

_body = {"required": True, "validate": validate.Length(min=1, max=MAX_POST_CHARS)}
_capacity = {"load_default": Capacity.PERSONAL.value,
             "validate": validate.OneOf([c.value for c in Capacity]),
             "metadata": {"description": "personal, or role (in the title given on the profile)"}}


class NewThread(FastSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TITLE_CHARS))
    body = fields.String(**_body)
    capacity = fields.String(**_capacity)


class NewPost(FastSchema):
    body = fields.String(**_body)
    parent_id = fields.Integer(load_default=None, allow_none=True,
                               validate=validate.Range(min=1, max=2**31 - 1),
                               metadata={"description": "Reply to this post (same thread)"})
    capacity = fields.String(**_capacity)


class PostEdit(FastSchema):
    body = fields.String(**_body)
    capacity = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf([c.value for c in Capacity]))


class NewTopic(FastSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TITLE_CHARS))
    framing = fields.String(load_default="", validate=validate.Length(max=MAX_POST_CHARS))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=40)),
                       load_default=list, validate=validate.Length(max=8))


# --- The posts list, from cached JSON ---------------------------------------------------------

_VOLATILE = ("my_reactions", "reactions")  # counted anew for each request


def _post_key(item) -> tuple:
    """Every value the public part of a post's dump reads (as the thread page's fragment key
    does for its HTML): an edit, a decision, an approval or a renamed author makes a new key."""
    post, author = item.post, item.post.author
    return (post.id, post.thread_id, post.position, post.parent_id, post.depth, post.status,
            post.capacity, post.capacity_label, post.created_at, post.edited_at,
            post.edit_count, post.deleted_at, post.hidden_at, post.hidden_reason,
            item.body is not None, author.id, author.display_name, author.sector,
            author.organisation, author.title, author.verified_at, author.erased_at)


def posts_json(items: list) -> list[str]:
    """Each listed post as the JSON text `Post().dump` gives (keys sorted, as the API's JSON
    is): the public part from the fragment cache, the reaction counts and the caller's own
    reactions added for this request. tests/api/test_posts_cache.py holds it to the schema."""
    store = fragments.cache()
    host = (request.environ.get("HTTP_HOST"), request.environ.get("wsgi.url_scheme"),
            request.environ.get("SCRIPT_NAME"))
    ascii_only = current_app.json.ensure_ascii
    out = []
    for item in items:
        key = ("api-post", host, *_post_key(item))
        text = store.get(key) if store.max_chars else None
        if text is None:
            public = Post().dump(item)
            for name in _VOLATILE:
                public.pop(name)
            text = json.dumps(public, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=ascii_only)
            if store.max_chars:
                store.put(key, text)
        out.append(f"{text[:-1]},{_reactions_json(item)}}}")
    return out


def _reactions_json(item) -> str:
    """`"my_reactions":[...],"reactions":{...}` as json.dumps would write them (keys sorted).
    Written by hand: the keys are reaction kinds (plain identifiers, looked up so that nothing
    else gets in) and the counts integers, so nothing needs escaping; a page of posts saves two
    encoder runs a post."""
    mine = ",".join([f'"{_KINDS[kind]}"' for kind in item.my_reactions])
    counts = ",".join([f'"{_KINDS[kind]}":{count:d}'
                       for kind, count in sorted(item.reactions.items())])
    return f'"my_reactions":[{mine}],"reactions":{{{counts}}}'


_KINDS = {kind.value: kind.value for kind in ReactionKind}


def post_page_json(items: list, next_url: str | None) -> str:
    """A PostPage as JSON text."""
    return f'{{"items":[{",".join(posts_json(items))}],"next":{json.dumps(next_url)}}}'
