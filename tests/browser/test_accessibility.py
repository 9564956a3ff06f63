"""WCAG 2.1 AA on every kind of page, in Swedish and in English, checked by axe-core in Chromium.

Besides axe, each page must carry the right `lang`, have exactly one h1 and no skipped heading
levels, and reflow at 320 CSS pixels without sideways scrolling (WCAG 1.4.10).
"""
from __future__ import annotations

import pytest

from forum import create_app
from tests.browser.conftest import DESKTOP, NARROW
from tests.browser.sweep import NOT_PAGES, VISITS, Visit

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ["sv", "en"]

# Beyond the WCAG tags: landmarks labelled and unique, all content inside them, heading order.
AXE_EXTRA_RULES = ["landmark-unique", "landmark-one-main", "landmark-no-duplicate-banner",
                   "landmark-no-duplicate-contentinfo", "region", "heading-order",
                   "page-has-heading-one"]

AXE_RUN = """async ([tags, extra]) => {
  const rules = Object.fromEntries(extra.map(id => [id, {enabled: true}]));
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, rules,
                                          resultTypes: ["violations"]});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help}\\n    ` +
    v.nodes.slice(0, 4).map(n => n.target.join(" ") + " -> " + n.failureSummary
                            .replace(/\\s+/g, " ")).join("\\n    "));
}"""

HEADINGS = """() => {
  const levels = [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")]
    .filter(h => h.offsetParent !== null || h.getClientRects().length)
    .map(h => Number(h.tagName[1]));
  const problems = [];
  const ones = levels.filter(l => l === 1).length;
  if (ones !== 1) problems.push(`${ones} h1 elements (want exactly one)`);
  levels.forEach((level, i) => {
    if (i > 0 && level > levels[i - 1] + 1) problems.push(`h${levels[i - 1]} then h${level}`);
  });
  return problems;
}"""


def test_sweep_covers_every_page_route():
    """A GET route that serves HTML and has no Visit in the sweep fails here."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    visited = {visit.endpoint for visit in VISITS}
    missing = sorted(
        f"{rule.endpoint} ({rule.rule})" for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in visited
        and rule.endpoint not in NOT_PAGES)
    assert not missing, ("page routes missing from tests/browser/sweep.py (add a Visit, or a "
                         "NOT_PAGES entry if the route serves no HTML): " + ", ".join(missing))


def test_sweep_lists_only_existing_routes():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = {v.endpoint for v in VISITS if not v.endpoint.startswith("error.")} - endpoints
    assert not stale | (set(NOT_PAGES) - endpoints)


WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(e => `${e.tagName.toLowerCase()}.${e.className}#${e.id}`).slice(-5)"""


def _open(page, visit: Visit, facts: dict) -> int:
    response = page.goto(visit.path(facts))
    if visit.ready:
        page.wait_for_selector(visit.ready)
        page.wait_for_timeout(300)  # let the first events draw
    if visit.submit is None:
        return response.status
    page.evaluate("() => document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation() as navigation:
        page.locator(visit.submit).first.click()
    return navigation.value.status


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("visit", VISITS, ids=lambda v: v.id)
def test_page_meets_wcag_21_aa(signed_in_pages, live_server, visit, language):
    page = signed_in_pages.page(visit.who, language)
    status = _open(page, visit, live_server.facts)
    assert status == visit.status, f"{visit.id}: HTTP {status} at {page.url}"
    assert page.evaluate("document.documentElement.lang") == language
    violations = page.evaluate(AXE_RUN, [WCAG_TAGS, AXE_EXTRA_RULES])
    assert not violations, f"{page.url} [{language}]:\n  " + "\n  ".join(violations)
    headings = page.evaluate(HEADINGS)
    assert not headings, f"{page.url} [{language}] headings: {headings}"
    if language == "sv":  # Swedish compounds are the longer words: check reflow there
        page.set_viewport_size(NARROW)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(WIDE_ELEMENTS) if overflow > 0 else []
        page.set_viewport_size(DESKTOP)
        assert overflow <= 0, (f"{page.url} scrolls sideways by {overflow}px at 320px width; "
                               f"widest: {wide}")


@pytest.mark.browser
@pytest.mark.parametrize(("preference", "scrolling", "moves"),
                         [("reduce", "auto", False), ("no-preference", "smooth", True)])
def test_motion_follows_the_reduced_motion_preference(new_context, preference, scrolling, moves):
    page = new_context(reduced_motion=preference).new_page()
    page.goto("/")
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == scrolling
    durations = page.evaluate("getComputedStyle(document.querySelector('main a')).transitionDuration")
    assert any(float(d.strip().rstrip("s")) > 0 for d in durations.split(",")) is moves


@pytest.mark.browser
def test_form_with_errors_puts_focus_on_the_first_field_in_error(new_context):
    page = new_context().new_page()
    page.goto("/register")
    page.fill("input[name=email]", "not-an-address")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    focused = page.evaluate("[document.activeElement.name, document.activeElement.getAttribute("
                            "'aria-invalid'), document.activeElement.getAttribute('aria-describedby')]")
    first_invalid = page.locator("main [aria-invalid=true]").first.get_attribute("name")
    assert focused[0] == first_invalid and focused[1] == "true"
    assert f"{first_invalid}-error" in focused[2]  # its message is read with it
