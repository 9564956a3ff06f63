"""Every API answer carries the rate-limit headers, also a URL no route matches, and such
requests count against the same API_LIMIT budget as the others."""
from __future__ import annotations

import pytest


@pytest.fixture
def small_limit(app_config):
    app_config["API_LIMIT"] = "3 per minute"


@pytest.mark.parametrize("method, url, status", [
    ("GET", "/api/v1/no/such/resource", 404),
    ("GET", "/api/v1/threads/notanumber", 404),
    ("DELETE", "/api/v1/openapi.json", 405),
])
def test_an_unmatched_api_url_carries_the_headers(api, db, method, url, status):
    response = api(method, url)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert int(response.headers["X-RateLimit-Limit"]) > 0
    assert "X-RateLimit-Remaining" in response.headers and "X-RateLimit-Reset" in response.headers


def test_unmatched_urls_share_the_api_budget(small_limit, api, db):
    remaining = [api("GET", "/api/v1/nothing/here").headers["X-RateLimit-Remaining"]
                 for _ in range(2)]
    assert remaining == ["2", "1"]
    assert api("GET", "/api/v1/areas").headers["X-RateLimit-Remaining"] == "0"
    refused = api("GET", "/api/v1/nothing/here")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.content_type == "application/problem+json"


def test_pages_outside_the_api_are_not_counted(small_limit, client, db):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "X-RateLimit-Limit" not in response.headers
