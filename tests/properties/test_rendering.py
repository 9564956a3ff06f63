"""Property tests of Markdown rendering and the sanitiser (forum/rendering.py): whatever the
text, rendering answers with a string, and the HTML it gives, parsed as a browser parses it,
holds no element, attribute or URL that could run, load or submit anything."""
from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from forum import rendering
from tests.properties.conftest import profile
from tests.properties.strategies import FRAGMENTS, active_parts, texts

MENTIONS = {"anna_lindqvist": (7, "Anna Lindqvist"), "x": (8, "<script>x</script>")}


@profile()
@given(texts)
@example("[x](javascript:alert(1))")
@example("\ud800<script>\x00")
def test_rendered_markdown_is_never_active(source):
    html = rendering.render_markdown(source)
    assert isinstance(html, str)
    assert active_parts(html) == [], html


@profile()
@given(texts, st.sampled_from([None, "radslag.example.se"]))
def test_rendered_markdown_with_mentions_and_a_host_is_never_active(source, host):
    html, linked = rendering.render_with_mentions("@Anna_Lindqvist @x " + source,
                                                  mentions=MENTIONS, host=host)
    assert active_parts(html) == [], html
    assert linked <= {7, 8}


@profile()
@given(texts)
@example("<a href='javascript:x' onclick='y'>z</a><script>1</script>")
def test_the_sanitiser_leaves_nothing_active_in_raw_html(markup):
    assert active_parts(rendering.sanitise(markup)) == []


@profile(30)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=40).map("\n".join))
def test_sanitising_rendered_html_again_changes_nothing_active(source):
    once = rendering.render_markdown(source)
    assert active_parts(rendering.sanitise(once)) == []


@pytest.mark.parametrize("source", [
    "a" * 200_000, "*" * 50_000, "[" * 20_000 + "](x)", "> " * 5_000 + "deep",
    "- " * 3_000 + "x", "`" * 30_000, "<" * 40_000, "&#" * 20_000,
    "| a |\n|---|\n" + "| <img src=x onerror=y> |\n" * 2_000, "\u0301" * 50_000,
    "\x00" * 10_000, "\ud800" * 10_000, "@Anna_Lindqvist " * 5_000,
], ids=lambda s: f"{s[:6]!r}x{len(s)}")
def test_huge_and_degenerate_inputs_render_safely(source):
    html = rendering.render_with_mentions(source, mentions=MENTIONS)[0]
    assert active_parts(html) == []
