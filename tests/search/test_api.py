"""GET /api/v1/search: the same hits as the page, paged by number, bad input refused."""
from __future__ import annotations

from forum.models.live import Visibility
from forum.services.discussion import posting
from tests import factories
from tests.live.conftest import make_live_session


def test_search_through_the_api(client, app):
    thread = factories.make_thread(title="Parkering vid stationen")
    for n in range(3):
        posting.reply(thread.author, thread.id, f"Parkeringen nummer {n} <b>är</b> full.")
    make_live_session(visibility=Visibility.INVITE_ONLY, title="Parkering i hemlighet")
    first = client.get("/api/v1/search?q=parkeringar&limit=2")
    assert first.status_code == 200
    data = first.get_json()
    assert data["total"] == 4 and data["pages"] == 2 and len(data["items"]) == 2
    assert all("hemlighet" not in item["title"] for item in data["items"])
    hit = next(i for i in data["items"] if i["kind"] == "post") if any(
        i["kind"] == "post" for i in data["items"]) else data["items"][0]
    assert "<mark>" in hit["excerpt_html"] or "<mark>" in hit["title_html"]
    assert "<b>" not in hit["excerpt_html"]
    second = client.get(data["next"]).get_json()
    assert second["next"] is None and len(second["items"]) == 2


def test_bad_search_input_through_the_api(client, app):
    too_long = client.get("/api/v1/search", query_string={"q": "ord " * 100})
    assert too_long.status_code == 422
    assert "200" in too_long.get_json()["detail"]
    assert client.get("/api/v1/search?q=x&sector=king").status_code == 422
    assert client.get("/api/v1/search?q=x&kind=secret").status_code == 422
    assert client.get("/api/v1/search", query_string={"q": 'a" OR "*'}).status_code == 200
    empty = client.get("/api/v1/search?q=").get_json()
    assert empty["items"] == [] and empty["total"] == 0
