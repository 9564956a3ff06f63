"""Webhook endpoints and their delivery history, for admins (a token with `moderate`; the
permissions package lets only admins manage webhooks)."""
from __future__ import annotations

from flask import url_for

from forum.blueprints.api import paging
from forum.blueprints.api.auth import member
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.schemas import webhooks as s
from forum.services.webhooks import endpoints

bp = ApiBlueprint("api_webhooks", "Webhook endpoints and deliveries (admins). Deliveries are "
                                  "signed: see docs/webhooks.md.")


@bp.get("/webhooks")
@bp.moderates
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.EndpointPage)
def endpoint_list(limit: int, cursor: str | None):
    """The registered endpoints, oldest first."""
    rows = endpoints.listing(member(), paging.after("webhooks", cursor, 0), limit)
    found = paging.page(rows, limit, "webhooks", key=lambda e: e.id)
    return found, found.headers


@bp.post("/webhooks")
@bp.moderates
@bp.arguments(s.NewEndpoint)
@bp.response(201, s.Endpoint)
def create(data: dict):
    """Register an endpoint. Its URL must resolve to public addresses."""
    endpoint = endpoints.create(member(), endpoints.EndpointData(**data))
    return endpoint, 201, {"Location": url_for("api_webhooks.endpoint", endpoint_id=endpoint.id,
                                                _external=True)}


@bp.get("/webhooks/<id:endpoint_id>")
@bp.moderates
@bp.response(200, s.Endpoint)
def endpoint(endpoint_id: int):
    """One endpoint."""
    return endpoints.get(member(), endpoint_id)


@bp.patch("/webhooks/<id:endpoint_id>")
@bp.moderates
@bp.arguments(s.EndpointEdit)
@bp.response(200, s.Endpoint)
def edit(data: dict, endpoint_id: int):
    """Change an endpoint (only the fields sent)."""
    current = endpoints.get(member(), endpoint_id)
    merged = endpoints.EndpointData(
        url=data.get("url", current.url), kinds=data.get("kinds", current.kinds),
        description=data.get("description", current.description),
        secret=data.get("secret"), active=data.get("active", current.active))
    return endpoints.update(member(), endpoint_id, merged)


@bp.delete("/webhooks/<id:endpoint_id>")
@bp.moderates
@bp.response(204)
def delete(endpoint_id: int):
    """Remove an endpoint and its delivery history."""
    endpoints.remove(member(), endpoint_id)
    return ""


@bp.get("/webhooks/<id:endpoint_id>/deliveries")
@bp.moderates
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.DeliveryPage)
def deliveries(endpoint_id: int, limit: int, cursor: str | None):
    """The endpoint's deliveries, newest first: status, latest response code, duration and
    error."""
    list_id = f"webhook:{endpoint_id}:deliveries"
    rows = endpoints.deliveries(member(), endpoint_id, paging.after(list_id, cursor), limit)
    found = paging.page(rows, limit, list_id, key=lambda d: d.id)
    return found, found.headers


@bp.post("/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/redeliver")
@bp.moderates
@bp.response(201, s.Delivery)
def redeliver(endpoint_id: int, delivery_id: int):
    """Send the delivery's event again, as a new delivery with a fresh day of retries."""
    row = endpoints.redeliver(member(), delivery_id, endpoint_id)
    return row, 201, {"Location": url_for("api_webhooks.deliveries", endpoint_id=endpoint_id,
                                           _external=True)}
