"""Counting stops at a cap: "more than N results", the newest N matches ranked and paged,
and what a reader may not see never counted, capped or not."""
from __future__ import annotations

import pytest

from forum.models.live import Visibility
from forum.services import search
from forum.services.discussion import posting
from forum.services.moderation import review
from forum.services.search import query
from tests import factories
from tests.live.conftest import make_live_session

CAP = 5


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(query, "COUNT_CAP", CAP)
    return CAP


@pytest.fixture
def thread(app):
    return factories.make_thread(title="Om hamnen")


def replies(thread, n: int, text: str = "Cykelbanan längs kajen behövs.") -> list:
    return [posting.reply(thread.author, thread.id, f"{text} Nummer {i}.") for i in range(n)]


def test_a_count_above_the_cap_says_more_and_stops_at_the_cap(cap, thread):
    posts = replies(thread, CAP + 3)
    results = search.search(None, "cykelbanan", per_page=2)
    assert results.more and results.total == CAP
    assert results.pages == 3  # 5 candidates, 2 a page
    shown = []
    for page in (1, 2, 3):
        shown += [h.url for h in search.search(None, "cykelbanan", page=page, per_page=2).hits]
    assert sorted(shown) == sorted(f"/p/{p.id}" for p in posts[-CAP:])  # the newest, once each
    beyond = search.search(None, "cykelbanan", page=4, per_page=2)
    assert beyond.page == 3 and len(beyond.hits) == 1


def test_a_count_up_to_the_cap_is_exact(cap, thread):
    replies(thread, CAP)
    results = search.search(None, "cykelbanan")
    assert results.total == CAP and not results.more and len(results.hits) == CAP


def test_hidden_posts_are_not_counted_near_the_cap(cap, thread):
    moderator = factories.make_moderator()
    posts = replies(thread, CAP + 2)
    for post in posts[:3]:
        review.hide(moderator, "post", post.id, "Off topic")
    for reader in (None, thread.author, moderator):
        results = search.search(reader, "cykelbanan")
        assert results.total == CAP - 1 and not results.more
        assert {h.url for h in results.hits} == {f"/p/{p.id}" for p in posts[3:]}


def test_members_only_entries_are_not_counted_for_visitors(cap, app):
    for n in range(CAP + 1):
        make_live_session(visibility=Visibility.MEMBERS, title=f"Medlemsmöte om skolor {n}")
    public = make_live_session(title="Öppet möte om skolor")
    visitor = search.search(None, "skolor")
    assert visitor.total == 1 and not visitor.more
    assert [h.url for h in visitor.hits] == [f"/live/{public.id}"]
    member = search.search(factories.make_user(), "skolor")
    assert member.total == CAP and member.more


def test_the_page_says_more_than_the_cap_in_swedish_and_english(cap, client, thread):
    replies(thread, CAP + 1)
    swedish = client.get("/search?q=cykelbanan",
                         headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert f"Fler än {CAP} träffar" in swedish
    assert f"{CAP + 1} träffar" not in swedish
    english = client.get("/search?q=cykelbanan",
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"More than {CAP} results" in english


def test_the_page_gives_the_exact_count_below_the_cap(cap, client, thread):
    replies(thread, CAP - 1)
    html = client.get("/search?q=cykelbanan",
                      headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert f"{CAP - 1} träffar" in html and "Fler än" not in html


def test_the_api_says_more_and_pages_within_the_cap(cap, client, thread):
    replies(thread, CAP + 4)
    data = client.get("/api/v1/search?q=cykelbanan&limit=2").get_json()
    assert data["more"] is True and data["total"] == CAP and data["pages"] == 3
    last = client.get("/api/v1/search?q=cykelbanan&limit=2&page=3").get_json()
    assert len(last["items"]) == 1 and last["next"] is None
    few = client.get("/api/v1/search?q=nummer&limit=50&kind=thread").get_json()
    assert few["more"] is False and few["total"] == 0


def test_candidates_rank_best_first_and_ties_newest_first(cap, thread):
    older_and_better = posting.reply(thread.author, thread.id,
                                     "Cykelbanan, cykelbanan och åter cykelbanan vid kajen.")
    plain = replies(thread, 3)
    hits = search.search(None, "cykelbanan").hits
    assert [h.url for h in hits] == [f"/p/{older_and_better.id}",
                                     *(f"/p/{p.id}" for p in reversed(plain))]
    assert hits[0].rank > hits[1].rank and hits[1].rank == hits[2].rank == hits[3].rank
