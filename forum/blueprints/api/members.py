"""Members' public profiles, the calling member, their notifications and what they follow."""
from __future__ import annotations

from types import SimpleNamespace

from flask import current_app, request

from forum.blueprints.api import auth, paging
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.schemas import common
from forum.blueprints.api.schemas import members as s
from forum.services import accounts, notifications
from forum.services.notifications import following
from forum.templating import current_language

bp = ApiBlueprint("api_members", "Members' public profiles, the calling member, notifications, "
                                 "subscriptions.")
FOLLOW_KIND = "<any(area,topic,thread,session):kind>"


@bp.get("/members/<id:user_id>")
@bp.reads
@bp.response(200, common.Member)
def member(user_id: int):
    """A member's public profile (never an email address)."""
    return accounts.get_user(user_id)


@bp.get("/me")
@bp.reads(signed_in=True)
@bp.response(200, common.Me)
def me():
    """The member the token belongs to, and the token's name and scopes."""
    return auth.member()


@bp.get("/me/notifications")
@bp.reads(signed_in=True)
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.NotificationPage)
def notices(limit: int, cursor: str | None):
    """The member's notifications, newest first. `message` is worded in the member's own
    language; `kind` and `params` (ids and names) are there for programs."""
    member = auth.member()
    rows = notifications.before(member, paging.after("notifications", cursor, None), limit)
    language = member.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    found = paging.page(rows, limit, "notifications", key=lambda n: n.id,
                        convert=lambda n: _notice(n, language))
    return found, found.headers


@bp.post("/me/notifications/read")
@bp.writes
@bp.response(200, s.MarkedRead)
def mark_read():
    """Mark every notification read."""
    notifications.mark_all_read(auth.member())
    return {"unread": notifications.unread_count(auth.member())}


@bp.post("/me/notifications/<id:notice_id>/read")
@bp.writes
@bp.response(200, s.MarkedRead)
def mark_one_read(notice_id: int):
    """Mark one of the member's notifications read (another member's: not found)."""
    notifications.mark_read(auth.member(), [notice_id])
    return {"unread": notifications.unread_count(auth.member())}


@bp.get("/me/subscriptions")
@bp.reads(signed_in=True)
@bp.response(200, s.SubscriptionList)
def subscriptions():
    """What the member follows (focus areas, topics, threads, live sessions) and may still
    see, by kind."""
    found = following.followed_by(auth.member(), current_language())
    return {"items": [SimpleNamespace(kind=f.kind.value, id=f.target_id, title=f.title,
                                      html_url=_absolute(f.url)) for f in found]}


@bp.put(f"/me/subscriptions/{FOLLOW_KIND}/<id:target_id>")
@bp.writes
@bp.response(200, s.Following)
def follow(kind: str, target_id: int):
    """Follow a focus area, topic, thread or live session one may see (again, after
    unfollowing); following twice is the same as once."""
    following.follow(auth.member(), kind, target_id)
    return {"kind": kind, "id": target_id, "following": True}


@bp.delete(f"/me/subscriptions/{FOLLOW_KIND}/<id:target_id>")
@bp.writes
@bp.response(200, s.Following)
def unfollow(kind: str, target_id: int):
    """Stop following (remembered: replying in the thread later does not follow it again)."""
    following.unfollow(auth.member(), kind, target_id)
    return {"kind": kind, "id": target_id, "following": False}


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


def _notice(note, language: str) -> SimpleNamespace:
    shown = notifications.worded(note, language)
    return SimpleNamespace(id=note.id, kind=note.kind, message=shown.text,
                           params=note.params or {}, link=shown.link,
                           created_at=note.created_at, read_at=note.read_at)
