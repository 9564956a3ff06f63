"""Members' public profiles, the calling member, and their notifications."""
from __future__ import annotations

from types import SimpleNamespace

from flask import current_app

from forum.blueprints.api import auth, paging
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.schemas import common
from forum.blueprints.api.schemas import members as s
from forum.services import accounts, notifications

bp = ApiBlueprint("api_members", "Members' public profiles, the calling member, notifications.")


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


def _notice(note, language: str) -> SimpleNamespace:
    shown = notifications.worded(note, language)
    return SimpleNamespace(id=note.id, kind=note.kind, message=shown.text,
                           params=note.params or {}, link=shown.link,
                           created_at=note.created_at, read_at=note.read_at)
