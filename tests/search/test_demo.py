"""The demo forum holds enough Swedish for Swedish searches to find something."""
from __future__ import annotations

import pytest

from forum.services import search, seeding
from forum.services.demo import discussion as demo_discussion
from forum.services.demo import people


@pytest.fixture
def demo(app):
    seeding.ensure_focus_areas()
    demo_discussion.add(people.ensure_people())


@pytest.mark.parametrize("q", ["kommun", "bostäder", "trygghet", "kommunens bostäder"])
def test_swedish_searches_find_several_demo_posts(demo, q):
    results = search.search(None, q)
    assert results.total >= 3
    assert all(hit.language == "sv" for hit in results.hits)


def test_english_searches_still_find_the_english_demo(demo):
    assert search.search(None, "harbour").total >= 3
