"""Focus areas, topics, threads and posts (with replies, revisions and reactions)."""
from __future__ import annotations

from flask import Response, url_for

from forum import ratelimits
from forum.blueprints.api import paging
from forum.blueprints.api.auth import caller, member
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.idempotency import DOC as IDEMPOTENT
from forum.blueprints.api.idempotency import idempotent
from forum.blueprints.api.schemas import discussion as s
from forum.exceptions import InvalidInput
from forum.services.discussion import curation, listing, posting

bp = ApiBlueprint("api_discussion", "Focus areas, topics, threads, posts, reactions, "
                                    "revisions.")


def _created(obj, endpoint: str, **values):
    return obj, 201, {"Location": url_for(endpoint, _external=True, **values)}


# --- Focus areas and topics ---------------------------------------------------------------


@bp.get("/areas")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.AreaPage)
def areas(limit: int, cursor: str | None):
    """The focus areas."""
    rows = listing.areas(paging.after("areas", cursor, 0), limit)
    found = paging.page(rows, limit, "areas", key=lambda a: a.id)
    return found, found.headers


@bp.get("/areas/<slug>")
@bp.reads
@bp.response(200, s.Area)
def area(slug: str):
    """One focus area."""
    return curation.get_area(slug)


@bp.get("/areas/<slug>/topics")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.TopicPage)
def topics(slug: str, limit: int, cursor: str | None):
    """The area's topics, oldest first (archived ones too)."""
    list_id = f"area:{slug}:topics"
    _area, rows = listing.topics(caller(), slug, paging.after(list_id, cursor, 0), limit)
    found = paging.page(rows, limit, list_id, key=lambda t: t.id)
    return found, found.headers


@bp.post("/areas/<slug>/topics")
@bp.moderates
@bp.arguments(s.NewTopic)
@bp.response(201, s.Topic)
def create_topic(data: dict, slug: str):
    """Create a topic (moderators of the area)."""
    topic = curation.create_topic(member(), slug, data["title"], data["framing"],
                                  ", ".join(data["tags"]))
    return _created(topic, "api_discussion.topic", topic_id=topic.id)


@bp.get("/topics/<id:topic_id>")
@bp.reads
@bp.response(200, s.Topic)
def topic(topic_id: int):
    """One topic."""
    return listing.topic(caller(), topic_id)


# --- Threads --------------------------------------------------------------------------------


@bp.get("/topics/<id:topic_id>/threads")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.ThreadPage)
def threads(topic_id: int, limit: int, cursor: str | None):
    """The topic's threads, oldest first."""
    list_id = f"topic:{topic_id}:threads"
    viewer = caller()
    _topic, rows = listing.threads(viewer, topic_id, paging.after(list_id, cursor, 0), limit)
    found = paging.page(rows, limit, list_id, key=lambda t: t.id,
                        keep=lambda t: listing.visible_thread(viewer, t))
    return found, found.headers


@bp.post("/topics/<id:topic_id>/threads")
@bp.writes
@ratelimits.thread_creation
@bp.arguments(s.NewThread)
@bp.doc(**IDEMPOTENT)
@idempotent
@bp.response(201, s.Thread)
def create_thread(data: dict, topic_id: int):
    """Start a thread: its title and opening post."""
    thread = posting.start_thread(member(), topic_id, data["title"], data["body"],
                                  data["capacity"])
    return _created(thread, "api_discussion.thread", thread_id=thread.id)


@bp.get("/threads/<id:thread_id>")
@bp.reads
@bp.response(200, s.Thread)
def thread(thread_id: int):
    """One thread."""
    return listing.thread(caller(), thread_id)


# --- Posts ----------------------------------------------------------------------------------


@bp.get("/threads/<id:thread_id>/posts")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.PostPage)
def posts(thread_id: int, limit: int, cursor: str | None):
    """The thread's posts in order (position 1 is the opening post); replies name their
    parent. Posts the caller may not see are left out."""
    list_id = f"thread:{thread_id}:posts"
    viewer = caller()
    _thread, rows, waiting = listing.posts(viewer, thread_id,
                                           paging.after(list_id, cursor, 0), limit)
    found = paging.page(rows, limit, list_id, key=lambda p: p.position,
                        keep=lambda p: listing.visible_post(viewer, p))
    if found.next is None:  # the last page: then what awaits approval, for who may see it
        found.items += waiting
    body = s.post_page_json(listing.as_listed(viewer, found.items), found.next)
    return Response(body, mimetype="application/json"), found.headers


@bp.post("/threads/<id:thread_id>/posts")
@bp.writes
@ratelimits.posting
@bp.arguments(s.NewPost)
@bp.doc(**IDEMPOTENT)
@idempotent
@bp.response(201, s.Post)
def create_post(data: dict, thread_id: int):
    """Reply in a thread (to a post of it, with `parent_id`)."""
    post = posting.reply(member(), thread_id, data["body"], parent_id=data["parent_id"],
                         capacity=data["capacity"])
    return _created(listing.post(member(), post.id), "api_discussion.post", post_id=post.id)


@bp.get("/posts/<id:post_id>")
@bp.reads
@bp.response(200, s.Post)
def post(post_id: int):
    """One post."""
    return listing.post(caller(), post_id)


@bp.patch("/posts/<id:post_id>")
@bp.writes
@ratelimits.posting
@bp.arguments(s.PostEdit)
@bp.response(200, s.Post)
def edit_post(data: dict, post_id: int):
    """Edit one's own post; the earlier text is kept as a revision."""
    posting.edit_post(member(), post_id, data["body"], data["capacity"])
    return listing.post(member(), post_id)


@bp.delete("/posts/<id:post_id>")
@bp.writes
@bp.response(200, s.Post)
def delete_post(post_id: int):
    """Delete one's own post (softly: moderators still see the text)."""
    posting.delete_post(member(), post_id)
    return listing.post(member(), post_id)


@bp.get("/posts/<id:post_id>/replies")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.PostPage)
def replies(post_id: int, limit: int, cursor: str | None):
    """The direct replies to a post, oldest first."""
    list_id = f"post:{post_id}:replies"
    viewer = caller()
    _parent, rows = listing.replies(viewer, post_id, paging.after(list_id, cursor, 0), limit)
    found = paging.page(rows, limit, list_id, key=lambda p: p.id,
                        keep=lambda p: listing.visible_post(viewer, p))
    found.items = listing.as_listed(viewer, found.items)
    return found, found.headers


@bp.get("/posts/<id:post_id>/revisions")
@bp.reads
@bp.response(200, s.RevisionList)
def revisions(post_id: int):
    """The post's earlier texts, oldest first."""
    return {"items": listing.revisions(caller(), post_id)}


@bp.get("/posts/<id:post_id>/reactions")
@bp.reads
@bp.response(200, s.Reactions)
def reactions(post_id: int):
    """Reaction counts, and the caller's own reactions."""
    return listing.post(caller(), post_id)


@bp.put("/posts/<id:post_id>/reactions/<kind>")
@bp.writes
@bp.response(200, s.Reactions)
def react(post_id: int, kind: str):
    """Add a reaction (agree, insightful, thanks); adding it again changes nothing."""
    try:
        posting.react(member(), post_id, kind, on=True)
    except InvalidInput as err:
        if err.code != "already_reacted":  # PUT twice is the same as once
            raise
    return listing.post(member(), post_id)


@bp.delete("/posts/<id:post_id>/reactions/<kind>")
@bp.writes
@bp.response(200, s.Reactions)
def unreact(post_id: int, kind: str):
    """Take a reaction back."""
    posting.react(member(), post_id, kind, on=False)
    return listing.post(member(), post_id)
