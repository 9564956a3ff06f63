"""The `data` of each kind of event: ids, links (on FORUM_BASE_URL) and what an integrator
needs to act without a second request. Never email addresses or anything private."""
from __future__ import annotations

from typing import Any

from flask import current_app


def _link(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def _person(user) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "display_name": user.display_name}


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def post(row) -> dict[str, Any]:
    thread = row.thread
    return {"post": {
        "id": row.id, "thread_id": row.thread_id, "position": row.position,
        "parent_id": row.parent_id, "author": _person(row.author), "body": row.body_source,
        "created_at": _when(row.created_at), "url": _link(f"/p/{row.id}"),
        "api_url": _link(f"/api/v1/posts/{row.id}")},
        "thread": {"id": thread.id, "title": thread.title, "topic_id": thread.topic_id}}


def thread(row, opening) -> dict[str, Any]:
    return {"thread": {
        "id": row.id, "title": row.title, "topic_id": row.topic_id,
        "author": _person(opening.author), "opening_post_id": opening.id,
        "created_at": _when(row.created_at), "url": _link(f"/threads/{row.id}"),
        "api_url": _link(f"/api/v1/threads/{row.id}")}}


def decision(target_type: str, target_id: int, thread_id: int | None, decision_name: str,
             flag_ids: list[int], moderator) -> dict[str, Any]:
    return {"decision": {"target_type": target_type, "target_id": target_id,
                         "thread_id": thread_id, "decision": decision_name,
                         "flag_ids": flag_ids, "moderator": _person(moderator)}}


def live_session(row) -> dict[str, Any]:
    return {"live_session": {
        "id": row.id, "title": row.title, "status": row.status.value,
        "focus_area_id": row.focus_area_id, "topic_id": row.topic_id,
        "started_at": _when(row.started_at), "ended_at": _when(row.ended_at),
        "url": _link(f"/live/{row.id}"), "api_url": _link(f"/api/v1/live-sessions/{row.id}")}}


def proposal(row, tally: dict | None = None) -> dict[str, Any]:
    return {"proposal": {
        "id": row.id, "title": row.title, "thread_id": row.thread_id,
        "live_session_id": row.live_session_id, "focus_area_id": row.focus_area_id,
        "closed_at": _when(row.closed_at), "tally": tally,
        "url": _link(f"/proposals/{row.id}"), "api_url": _link(f"/api/v1/proposals/{row.id}")}}


def commitment(row, change: str) -> dict[str, Any]:
    return {"change": change, "commitment": {
        "id": row.id, "text": row.text, "status": row.status.value, "note": row.status_note,
        "owner": _person(row.owner), "due_on": _when(row.due_on),
        "outcome_id": row.outcome_id, "live_session_id": row.live_session_id,
        "url": _link(f"/commitments/{row.id}"),
        "api_url": _link(f"/api/v1/commitments/{row.id}")}}
