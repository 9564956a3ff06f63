"""Swedish and English: letters of their own, stemming, each text in its own language."""
from __future__ import annotations

import pytest

from forum.services import search
from forum.services.discussion import posting
from forum.services.search.text import detect_language
from tests import factories


def _found(q, reader=None) -> set[str]:
    results = search.search(reader, q)
    return {f"{h.kind}:{h.url}" for h in results.hits}


def _post(thread, text, author=None):
    return posting.reply(author or thread.author, thread.id, text)


@pytest.fixture
def thread(app):
    return factories.make_thread(title="Samtal om staden")


def test_swedish_stemming_finds_inflected_forms(thread):
    one = _post(thread, "Kommunen måste lyssna på invånarna.")
    two = _post(thread, "Alla kommunernas planer ska vara öppna.")
    three = _post(thread, "En kommun är mer än sina förvaltningar.")
    hits = search.search(None, "kommunen").hits
    urls = {h.url for h in hits}
    assert {f"/p/{one.id}", f"/p/{two.id}", f"/p/{three.id}"} <= urls
    assert len(hits) == 3


def test_english_stemming(thread):
    post = _post(thread, "The leaders of the city met the business leader.")
    other = _post(thread, "Leadership is what we lack in this town, they said.")
    assert f"/p/{post.id}" in {h.url for h in search.search(None, "leaders").hits}
    assert f"/p/{post.id}" in {h.url for h in search.search(None, "leader").hits}
    # Snowball's English stemmer keeps "leadership" apart from "leader"
    assert f"/p/{other.id}" not in {h.url for h in search.search(None, "leaders").hits}
    assert f"/p/{other.id}" in {h.url for h in search.search(None, "leadership").hits}


def test_a_ring_a_umlaut_and_o_umlaut_are_letters_of_their_own(thread):
    east = _post(thread, "Vi bygger i öst och bor där sedan många år.")
    cheese = _post(thread, "Vi äter ost till frukost, som vi gjort i årtionden.")
    ar = _post(thread, "Ar är en gammal ytenhet för mark, inte att förväxla med annat.")
    found = lambda q: {h.url for h in search.search(None, q).hits}  # noqa: E731
    assert found("öst") == {f"/p/{east.id}"}
    assert found("ost") == {f"/p/{cheese.id}"}
    assert found("år") == {f"/p/{east.id}"}
    assert found("ar") == {f"/p/{ar.id}"}


def test_each_text_is_stemmed_in_its_own_language(thread):
    swedish = _post(thread, "Hundarna i parkerna är många och de skäller.")
    english = _post(thread, "The parks are full of dogs and they are barking.")
    assert {h.url for h in search.search(None, "parkerna").hits} == {f"/p/{swedish.id}"}
    assert {h.url for h in search.search(None, "park").hits} == {f"/p/{swedish.id}",
                                                                  f"/p/{english.id}"}
    hit = next(h for h in search.search(None, "dogs").hits)
    assert hit.language == "en" and "<mark>dogs</mark>" in hit.excerpt


def test_the_language_detector():
    assert detect_language("Det här är en text om hur staden leds och styrs.", "en") == "sv"
    assert detect_language("This is a text about how the city is led.", "sv") == "en"
    assert detect_language("Helsingborg 2030", "en") == "en"  # cannot tell: the fallback


def test_titles_and_opening_posts_find_the_thread(app):
    factories.make_thread(title="Cykelbanor längs Drottninggatan")
    hits = search.search(None, "cykelbanor").hits
    assert [h.kind for h in hits] == ["thread"]
    assert "<mark>Cykelbanor</mark>" in hits[0].title
