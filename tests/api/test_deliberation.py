"""Proposals, positions, outcomes and commitments through the API: the pages' services and
rules, with ETags, cursors and Idempotency-Key on positions."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.models.api import IdempotencyKey
from forum.models.base import utcnow
from forum.models.deliberation import Position, PositionChange
from forum.services.deliberation import commitments
from tests import factories


def _proposal(api, token, thread_id: int, **extra):
    body = {"title": "Open the baths all year", "statement": "The baths stay **open**.",
            "closes_at": (utcnow() + timedelta(days=3)).isoformat(), **extra}
    return api("POST", f"/api/v1/threads/{thread_id}/proposals", token, json=body)


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_member_opens_a_proposal_and_others_take_positions(api, world, token_for):
    opened = _proposal(api, token_for(world.author, "write"), world.thread.id)
    assert opened.status_code == 201, opened.get_data(as_text=True)
    proposal = opened.get_json()
    assert opened.headers["Location"] == proposal["url"]
    assert proposal["status"] == "open" and proposal["my_position"] is None
    assert "<strong>open</strong>" in proposal["statement_html"]
    assert proposal["opened_by"]["name"] == "Ada Author"
    token = token_for(world.other, "read", "write")
    taken = api("POST", f"/api/v1/proposals/{proposal['id']}/positions", token,
                json={"stance": "disagree", "reason": "Too costly"})
    assert taken.status_code == 201
    assert taken.get_json()["tally"]["counts"]["all"]["total"]["disagree"] == 1
    mine = api("GET", f"/api/v1/proposals/{proposal['id']}", token).get_json()
    assert mine["my_position"]["stance"] == "disagree"
    listed = api("GET", f"/api/v1/threads/{world.thread.id}/proposals").get_json()
    assert [p["id"] for p in listed["items"]] == [proposal["id"]]
    reasons = api("GET", f"/api/v1/proposals/{proposal['id']}/positions").get_json()
    assert [(r["who"]["name"], r["reason"]) for r in reasons["items"]] == [
        ("Otto Other", "Too costly")]


def test_the_rules_of_the_pages_hold(api, world, token_for):
    unverified = factories.make_user()  # proposals are opened by verified members
    refused = _proposal(api, token_for(unverified, "write"), world.thread.id)
    assert refused.status_code == 403
    bad = _proposal(api, token_for(world.author, "write"), world.thread.id,
                    closes_at=(utcnow() - timedelta(days=1)).isoformat())
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "closes_at"
    made = _proposal(api, token_for(world.author, "write"), world.thread.id).get_json()
    no_reason = api("POST", f"/api/v1/proposals/{made['id']}/positions",
                    token_for(world.other, "write"), json={"stance": "block"})
    assert no_reason.status_code == 422
    assert no_reason.get_json()["code"] == "reason_required"
    assert _count(Position) == 0


def test_a_retried_position_counts_once(api, world, token_for):
    made = _proposal(api, token_for(world.author, "write"), world.thread.id).get_json()
    token, url = token_for(world.other, "write"), f"/api/v1/proposals/{made['id']}/positions"
    headers = {"Idempotency-Key": "position-1"}
    first = api("POST", url, token, headers=headers, json={"stance": "agree"})
    again = api("POST", url, token, headers=headers, json={"stance": "agree"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert _count(PositionChange) == 1
    other = api("POST", url, token, headers=headers, json={"stance": "abstain"})
    assert other.status_code == 422
    assert _count(Position, Position.stance == "abstain") == 0
    assert _count(IdempotencyKey) == 1


def test_a_proposal_answers_conditional_gets(api, world, token_for):
    made = _proposal(api, token_for(world.author, "write"), world.thread.id).get_json()
    first = api("GET", f"/api/v1/proposals/{made['id']}")
    etag = first.headers["ETag"]
    assert api("GET", f"/api/v1/proposals/{made['id']}",
               headers={"If-None-Match": etag}).status_code == 304
    api("POST", f"/api/v1/proposals/{made['id']}/positions", token_for(world.other, "write"),
        json={"stance": "agree"})
    changed = api("GET", f"/api/v1/proposals/{made['id']}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_close_outcome_commitment_and_the_owners_report(api, world, token_for):
    made = _proposal(api, token_for(world.author, "write"), world.thread.id).get_json()
    mod = factories.make_moderator()
    mod_token = token_for(mod, "read", "write", "moderate")
    assert api("GET", f"/api/v1/proposals/{made['id']}/outcome").status_code == 404
    closed = api("POST", f"/api/v1/proposals/{made['id']}/close", mod_token,
                 json={"reason": "Decided in the council"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    again = api("POST", f"/api/v1/proposals/{made['id']}/close", mod_token, json={})
    assert again.status_code == 409
    recorded = api("PUT", f"/api/v1/proposals/{made['id']}/outcome", mod_token,
                   json={"kind": "agreed", "decision": "Adopted."})
    assert recorded.status_code == 200 and recorded.get_json()["post_id"]
    assert api("GET", f"/api/v1/proposals/{made['id']}/outcome").get_json()["kind"] == "agreed"
    day = (commitments.today() + timedelta(days=20)).isoformat()
    committed = api("POST", f"/api/v1/proposals/{made['id']}/commitments", mod_token,
                    json={"owner_email": world.other.email, "text": "Draft the budget",
                          "due_on": day, "review_on": day})
    assert committed.status_code == 201, committed.get_data(as_text=True)
    item = committed.get_json()
    assert item["owner"]["display_name"] == "Otto Other" and "email" not in item["owner"]
    not_owner = api("POST", f"/api/v1/commitments/{item['id']}/updates",
                    token_for(world.author, "write"), json={"status": "done", "note": "x"})
    assert not_owner.status_code == 403
    report = api("POST", f"/api/v1/commitments/{item['id']}/updates",
                 token_for(world.other, "write"), json={"status": "in_progress",
                                                        "note": "Tender out"})
    assert report.status_code == 201
    shown = api("GET", f"/api/v1/commitments/{item['id']}").get_json()
    assert shown["status"] == "in_progress"
    assert [h["status"] for h in shown["history"]] == ["in_progress", "open"]


def test_the_ledger_is_walked_by_cursor_without_repeats_or_gaps(api, world, token_for):
    made = _proposal(api, token_for(world.author, "write"), world.thread.id).get_json()
    mod_token = token_for(factories.make_moderator(), "moderate")
    api("POST", f"/api/v1/proposals/{made['id']}/close", mod_token, json={})
    api("PUT", f"/api/v1/proposals/{made['id']}/outcome", mod_token,
        json={"kind": "agreed", "decision": "Adopted."})

    def commit(days: int, text: str) -> int:
        day = (commitments.today() + timedelta(days=days)).isoformat()
        return api("POST", f"/api/v1/proposals/{made['id']}/commitments", mod_token,
                   json={"owner_email": world.other.email, "text": text, "due_on": day,
                         "review_on": day}).get_json()["id"]

    ids = [commit(d, f"Task {d}") for d in (30, 10, 20, 10)]
    first = api("GET", "/api/v1/commitments?limit=2").get_json()
    late = commit(40, "Added while paging")
    seen = [c["id"] for c in first["items"]]
    url = first["next"]
    while url:
        page = api("GET", url.replace("http://localhost", "")).get_json()
        seen += [c["id"] for c in page["items"]]
        url = page["next"]
    assert seen == [ids[1], ids[3], ids[2], ids[0], late]  # by due date, then id
    filtered = api("GET", "/api/v1/commitments?status=done").get_json()
    assert filtered == {"items": [], "next": None}
