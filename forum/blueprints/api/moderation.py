"""Flags (members) and the moderators' list of open flags and their decisions."""
from __future__ import annotations

from flask import url_for

from forum import ratelimits
from forum.blueprints.api import paging
from forum.blueprints.api.auth import member
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.schemas import moderation as s
from forum.services.moderation import flag_list, review

bp = ApiBlueprint("api_moderation", "Flags and moderators' decisions.")


def _flag(target_type: str, target_id: int, data: dict):
    flag = review.flag(member(), target_type, target_id, data["reason"], data["text"])
    return flag, 201, {"Location": url_for("api_moderation.flag", flag_id=flag.id,
                                            _external=True)}


@bp.post("/posts/<id:post_id>/flags")
@bp.writes
@ratelimits.flagging
@bp.arguments(s.NewFlag)
@bp.response(201, s.Flag)
def flag_post(data: dict, post_id: int):
    """Flag a post for the moderators, once, with a reason."""
    return _flag("post", post_id, data)


@bp.post("/threads/<id:thread_id>/flags")
@bp.writes
@ratelimits.flagging
@bp.arguments(s.NewFlag)
@bp.response(201, s.Flag)
def flag_thread(data: dict, thread_id: int):
    """Flag a thread for the moderators, once, with a reason."""
    return _flag("thread", thread_id, data)


@bp.get("/flags")
@bp.moderates
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.FlagPage)
def flags(limit: int, cursor: str | None):
    """Open flags in the areas the moderator looks after, oldest first."""
    rows = flag_list.open_flags(member(), paging.after("flags", cursor, 0), limit)
    found = paging.page(rows, limit, "flags", key=lambda f: f.id)
    return found, found.headers


@bp.get("/flags/<id:flag_id>")
@bp.reads(signed_in=True)
@bp.response(200, s.Flag)
def flag(flag_id: int):
    """One flag: for the member who made it and the moderators of its area."""
    return flag_list.get(member(), flag_id)


@bp.post("/moderation/decisions")
@bp.moderates
@bp.arguments(s.Decision)
@bp.response(200, s.DecisionDone)
def decide(data: dict):
    """Decide on a post or thread: dismiss its flags, hide it, edit personal data out of it,
    warn or suspend its author. Resolves its open flags; logged in the moderation log."""
    review.decide(member(), data["target_type"], data["target_id"], data["decision"],
                  data["reason"], new_body=data["new_body"], suspend_until=data["suspend_until"])
    return data
