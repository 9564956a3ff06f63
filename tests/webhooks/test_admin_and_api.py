"""Admins manage endpoints on the admin pages and through the API; members cannot."""
from __future__ import annotations

from sqlalchemy import select

from forum.models.webhooks import WebhookDelivery, WebhookEndpoint
from forum.services.discussion import posting
from tests import factories


def _form(**overrides) -> dict:
    fields = {"url": "http://127.0.0.1:9/hooks", "kinds": ["post.created", "flag.decided"],
              "description": "Intranätet", "active": "y"}
    fields.update(overrides)
    return fields


def test_an_admin_adds_an_endpoint_and_sees_its_secret(db, admin, client, login):
    login(admin)
    response = client.post("/admin/webhooks", data=_form())
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/webhooks/{endpoint.id}")
    assert endpoint.kinds == ["post.created", "flag.decided"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 30
    page = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert endpoint.secret in page and "Nothing has been sent" in page


def test_a_private_address_gets_a_message_on_the_form(db, admin, client, login):
    login(admin)
    response = client.post("/admin/webhooks", data=_form(url="http://192.168.0.10/x"))
    assert response.status_code == 400
    assert "private, loopback or link-local" in response.get_data(as_text=True)
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_the_endpoint_page_shows_deliveries_failures_and_sends_again(
        db, admin, client, login, receiver, register, run_jobs):
    rec = receiver()
    rec.answers = [500] * 20
    endpoint = register(rec, "post.created")
    author = factories.make_user(verified=True)
    thread = factories.make_thread(factories.make_topic(), author)
    from flask import current_app

    current_app.config["WEBHOOK_RETRY_SECONDS"] = 10
    posting.reply(author, thread.id, "Misslyckas")
    run_jobs()
    login(admin)
    page = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Failing since" in page and "HTTP 500" in page
    assert client.get("/admin/webhooks").get_data(as_text=True).count("Failing since") == 1
    row = db.session.scalars(select(WebhookDelivery)).one()
    rec.answers = []
    response = client.post(f"/admin/webhooks/{endpoint.id}/deliveries/{row.id}/resend")
    assert response.status_code == 302
    run_jobs()
    assert len(rec.received) == 2
    db.session.refresh(endpoint)
    assert endpoint.failing_since is None


def test_a_member_cannot_reach_the_webhook_pages(db, client, login):
    login(factories.make_moderator())
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks", data=_form()).status_code == 403


def test_the_api_registers_changes_lists_and_removes_endpoints(db, admin, api, token_for):
    token = token_for(admin, "moderate")
    made = api("POST", "/api/v1/webhooks", token,
               json={"url": "http://127.0.0.1:9/hooks", "kinds": ["proposal.closed"]})
    assert made.status_code == 201, made.get_data(as_text=True)
    body = made.get_json()
    assert made.headers["Location"].endswith(f"/api/v1/webhooks/{body['id']}")
    assert body["secret"].startswith("whsec_") and body["active"] is True
    changed = api("PATCH", f"/api/v1/webhooks/{body['id']}", token,
                  json={"kinds": ["proposal.closed", "commitment.changed"]})
    assert changed.get_json()["kinds"] == ["proposal.closed", "commitment.changed"]
    assert changed.get_json()["url"] == "http://127.0.0.1:9/hooks"
    listed = api("GET", "/api/v1/webhooks", token).get_json()
    assert [e["id"] for e in listed["items"]] == [body["id"]] and listed["next"] is None
    assert api("GET", f"/api/v1/webhooks/{body['id']}/deliveries", token).get_json() == {
        "items": [], "next": None}
    assert api("DELETE", f"/api/v1/webhooks/{body['id']}", token).status_code == 204
    assert api("GET", f"/api/v1/webhooks/{body['id']}", token).status_code == 404


def test_the_api_names_the_refused_fields(db, admin, api, token_for):
    token = token_for(admin, "moderate")
    refused = api("POST", "/api/v1/webhooks", token,
                  json={"url": "http://169.254.169.254/", "kinds": ["post.created"]})
    assert refused.status_code == 422
    assert refused.content_type == "application/problem+json"
    assert [e["field"] for e in refused.get_json()["errors"]] == ["url"]
    unknown = api("POST", "/api/v1/webhooks", token,
                  json={"url": "http://127.0.0.1:9/", "kinds": ["post.deleted"]})
    assert unknown.status_code == 422


def test_the_api_refuses_members_and_tokens_without_moderate(db, admin, api, token_for):
    member_token = token_for(factories.make_moderator(), "moderate")
    assert api("GET", "/api/v1/webhooks", member_token).status_code == 403
    read_write = token_for(admin, "read", "write")
    answer = api("GET", "/api/v1/webhooks", read_write)
    assert answer.status_code == 403 and answer.get_json()["code"] == "insufficient_scope"
    assert api("GET", "/api/v1/webhooks").status_code == 401


def test_the_api_shows_deliveries_and_sends_one_again(db, admin, api, token_for, receiver,
                                                     register, run_jobs):
    rec = receiver()
    endpoint = register(rec, "post.created")
    author = factories.make_user(verified=True)
    thread = factories.make_thread(factories.make_topic(), author)
    posting.reply(author, thread.id, "Via API")
    run_jobs()
    token = token_for(admin, "moderate")
    [item] = api("GET", f"/api/v1/webhooks/{endpoint.id}/deliveries", token).get_json()["items"]
    assert (item["status"], item["response_code"], item["attempts"], item["kind"]) == (
        "delivered", 204, 1, "post.created")
    again = api("POST", f"/api/v1/webhooks/{endpoint.id}/deliveries/{item['id']}/redeliver",
                token)
    assert again.status_code == 201 and again.get_json()["resent"] is True
    run_jobs()
    assert len(rec.received) == 2
    other = api("POST", f"/api/v1/webhooks/{endpoint.id + 1}/deliveries/{item['id']}/redeliver",
                token)
    assert other.status_code == 404
