"""What moderation acts on: loading a post or thread by id, links to it for notices and the
log, and the reason a moderator gives."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from forum.exceptions import InvalidInput, NotFound
from forum.models.discussion import Post, Thread
from forum.services.discussion import posting

MAX_REASON_CHARS = 500



def link(endpoint: str, **values) -> str | None:
    """A URL for notifications and the log, or None when it cannot be built (no such page yet,
    or no request to build it in)."""
    try:
        return url_for(endpoint, **values)
    except (BuildError, RuntimeError):
        return None


def post_link(post: Post) -> str | None:
    return link("threads.permalink", post_id=post.id)


def thread_link(thread: Thread) -> str | None:
    return link("threads.show", thread_id=thread.id)


def clean_reason(reason: str | None, *, required: bool = True, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput({field_name: _("Please give a reason.")})
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput({field_name: _("At most %(n)s characters.", n=MAX_REASON_CHARS)})
    return reason


def get_post(post_id: int) -> Post:
    return posting.get_post(post_id)


def get_thread(thread_id: int) -> Thread:
    return posting.get_thread(thread_id)


def get_target(target_type: str, target_id: int) -> Post | Thread:
    if target_type == "post":
        return get_post(target_id)
    if target_type == "thread":
        return get_thread(target_id)
    raise NotFound(_("There is no such item."))
