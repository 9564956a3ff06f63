"""The search page and the header box: plain GET forms, escaped excerpts, bad input."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.services.discussion import posting
from tests import factories


@pytest.fixture
def thread(app):
    thread = factories.make_thread(title="Trafiken i centrum")
    for n in range(25):
        posting.reply(thread.author, thread.id, f"Trafiken på gata nummer {n} är tät.")
    return thread


def test_the_header_has_a_labelled_search_box(client):
    html = client.get("/").get_data(as_text=True)
    assert 'role="search"' in html and 'for="site-search-q"' in html
    assert 'action="/search"' in html and 'name="q"' in html


def test_results_are_ranked_highlighted_and_paginated(client, thread):
    first = client.get("/search?q=trafiken")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "26 results" in html or "26 träffar" in html
    assert "<mark>Trafiken</mark>" in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    second = client.get("/search?q=trafiken&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_an_excerpt_cannot_carry_markup(client, thread):
    post = posting.reply(thread.author, thread.id,
                         "Trängselskatt `<script>alert(1)</script>` och <img src=x onerror=alert(2)>")
    html = client.get("/search?q=trängselskatt").get_data(as_text=True)
    assert f'href="/p/{post.id}"' in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("q", [
    '"trafiken', "trafiken*", "trafiken NEAR gata", "-trafiken", "title:trafiken",
    "(trafiken", "trafiken)) OR ((", "trafiken'; DROP TABLE posts; --",
    "trafiken UNION SELECT password_hash FROM users", "{title_terms}: trafiken", "^trafiken",
])
def test_fts_syntax_and_sql_are_plain_words(client, thread, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert "<mark>Trafiken</mark>" in response.get_data(as_text=True) or "result" in \
        response.get_data(as_text=True)


@pytest.mark.parametrize("q, status, said", [
    ("", 200, None),
    ("   ", 200, None),
    ("x" * 1000, 400, "at most 200"),
    ('"*" - : ( )', 400, "at least one word"),
])
def test_bad_queries_get_a_clear_answer(client, thread, q, status, said):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == status
    if said:
        assert said in response.get_data(as_text=True)


def test_bad_filters_are_refused_by_field(client, thread):
    response = client.get("/search?q=trafiken&kind=secret&sector=king&since=yesterday"
                          "&area=nowhere")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for said in ("kinds listed", "sectors listed", "YYYY-MM-DD", "no such focus area"):
        assert said in html
    assert db.session is not None


def test_a_page_beyond_the_last_is_the_last_allowed(client, thread):
    assert client.get("/search?q=trafiken&page=999999").status_code == 200
    assert client.get("/search?q=trafiken&page=-3").status_code == 200
    assert client.get("/search?q=trafiken&page=abc").status_code == 200


def test_the_search_page_holds_one_search_landmark(client):
    html = client.get("/search?q=trafiken").get_data(as_text=True)
    assert html.count('role="search"') == 1 and 'id="site-search-q"' not in html
