"""What people do in the forum, end to end in Chromium: a newcomer finds their feet, a member
flags a post and sees the outcome, and the language switch.

Selectors use addresses and form names rather than visible words, so the flows hold in both
languages and survive rewording.
"""
from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.server import SERVER_SECRET

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Ljusgården-kvarteret-2026!"


def _post_id(url: str) -> int:
    """The post a /p/<id> or #post-<id> address points at."""
    match = re.search(r"(?:/p/|#post-)(\d+)", url)
    assert match, f"no post id in {url}"
    return int(match.group(1))


def _approve(mod_page, post_id: int) -> None:
    """A moderator approves a pre-moderated post from its place in the thread."""
    mod_page.goto(f"/p/{post_id}")
    post = mod_page.locator(f"#post-{post_id}")
    post.locator("details.modctl > summary").click()
    post.locator(f"form[action='/moderation/posts/{post_id}/approve'] button").click()
    mod_page.wait_for_load_state()
    assert mod_page.locator(f"#post-{post_id}.post--pending").count() == 0


def _level(page, post_id: int) -> int:
    return int(re.search(r"post--level-(\d+)", page.locator(f"#post-{post_id}")
                         .get_attribute("class")).group(1))


def _answers(page, reply_id: int, parent_id: int) -> bool:
    """The page shows the reply as an answer: indented under its parent, or with a link to it."""
    linked = page.locator(f"#post-{reply_id} .post__reply-to a[href='/p/{parent_id}']").count()
    indented = page.evaluate(
        "([r, p]) => !!(document.getElementById('post-' + p).compareDocumentPosition("
        "document.getElementById('post-' + r)) & Node.DOCUMENT_POSITION_FOLLOWING)",
        [reply_id, parent_id]) and _level(page, reply_id) == _level(page, parent_id) + 1
    return bool(linked) or indented


def _confirmation_path(member_id: int, email: str) -> str:
    """The link of the confirmation email, made as the server makes it (same secret key)."""
    from itsdangerous import URLSafeTimedSerializer

    from forum.services.security import confirmation

    token = URLSafeTimedSerializer(SERVER_SECRET, salt=confirmation.PURPOSE).dumps(
        {"u": member_id, "e": email})
    return f"/account/confirm/{token}"


def _register(page, email: str, name: str, sector: str) -> None:
    page.goto("/")
    page.locator("header a[href='/register']").click()
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    page.fill("input[name=display_name]", name)
    page.select_option("select[name=sector]", sector)
    page.fill("input[name=organisation]", "Öresund Fastigheter AB")
    page.fill("input[name=title]", "Utvecklingschef")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/register" not in page.url, page.locator(".form-errors, .field__error").all_inner_texts()


def test_newcomer_registers_reads_posts_replies_reacts_edits_and_sees_revision(
        new_context, person_page, live_server):
    facts = live_server.facts
    page = new_context().new_page()
    name = f"Nora Nykomling {uuid.uuid4().hex[:4]}"
    email = f"nora-{uuid.uuid4().hex[:8]}@example.org"
    _register(page, email, name, "business")
    account = page.locator("nav.account-nav a[href^='/members/']")
    assert account.inner_text() == name
    member_id = int(account.get_attribute("href").rsplit("/", 1)[1])
    account.click()
    assert page.locator(".sector--business").first.is_visible()  # the sector she picked

    # she may read but not post until she confirms her address (the emailed link)
    assert page.locator(".confirm-banner").is_visible()
    page.goto(_confirmation_path(member_id, email))
    page.locator("main section form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".confirm-banner").count() == 0

    moderator = person_page("mod")

    # reads a focus area, opens a topic and starts a thread (held for a moderator at first)
    slug = facts["area_slugs"][0]
    page.goto("/")
    page.locator(f"main a[href='/areas/{slug}']").first.click()
    assert page.url.endswith(f"/areas/{slug}")
    page.locator("main a[href^='/topics/']").first.click()
    page.locator("main a[href$='/threads/new']").first.click()
    page.fill("input[name=title]", "Hur får vi fler lokala företag att anställa unga?")
    page.fill("textarea[name=body]", "Vi har platser men når inte ungdomarna. Vad har fungerat?")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert re.search(r"/threads/\d+", page.url)
    first_post = page.locator("article.post").first
    assert "post--pending" in first_post.get_attribute("class")
    _approve(moderator, _post_id("#" + first_post.get_attribute("id")))

    # replies to a reply in a lively demo thread
    page.goto(f"/threads/{facts['thread_id']}")
    parent_id = facts["post_id"]
    page.locator(f"#post-{parent_id} a[href$='?to={parent_id}']").click()
    page.fill("textarea[name=body]", "Håller med, och vi kan bidra med praktikplatser.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    reply_id = _post_id(page.url)
    _approve(moderator, reply_id)
    page.goto(f"/p/{reply_id}")
    reply = page.locator(f"#post-{reply_id}")
    assert _answers(page, reply_id, parent_id)
    assert name in reply.locator(".author-line__name").inner_text()
    assert reply.locator(".sector--business").count() == 1

    # reacts to the post she answered
    react = page.locator(f"#post-{parent_id} .reactions button[name=kind]").first
    kind = react.get_attribute("value")
    react.click()
    page.wait_for_load_state()
    mine = page.locator(f"#post-{parent_id} .reactions button[value={kind}]")
    assert mine.get_attribute("aria-pressed") == "true"

    # edits her reply and finds the earlier wording among the revisions
    page.goto(f"/p/{reply_id}")
    page.locator(f"#post-{reply_id} a[href='/posts/{reply_id}/edit']").click()
    page.fill("textarea[name=body]", "Håller med, och vi kan bidra med tio praktikplatser i sommar.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/p/{reply_id}")
    assert "tio praktikplatser" in page.locator(f"#post-{reply_id} .post__body").inner_text()
    page.locator(f"#post-{reply_id} a[href='/posts/{reply_id}/revisions']").click()
    revisions = page.locator("main").inner_text()
    assert "vi kan bidra med praktikplatser" in revisions
    assert "tio praktikplatser" in revisions


def test_flagged_post_is_hidden_by_moderator_and_outcome_reaches_member_and_public_log(
        new_context, person_page, live_server):
    facts = live_server.facts
    member = person_page("leila")
    member.goto(f"/threads/{facts['thread_id']}")
    target = member.locator("article.post:not(.post--gone)").filter(
        has_not=member.locator(f"a[href='/members/{facts['users']['mod']}']")).filter(
        has=member.locator("a.modctl__flag")).last
    post_id = _post_id("#" + target.get_attribute("id"))
    target.locator("a.modctl__flag").click()
    member.check("input[name=reason][value=misinformation]")
    member.fill("textarea[name=text]", "Siffrorna stämmer inte med nämndens beslut.")
    member.locator("main form button[type=submit]").click()
    member.wait_for_load_state()
    assert f"#post-{post_id}" in member.url or f"/threads/{facts['thread_id']}" in member.url

    moderator = person_page("mod")
    moderator.goto("/moderation/queue")
    moderator.locator(f"main a[href='/moderation/queue/post/{post_id}']").click()
    moderator.check("input[name=decision][value=hide]")
    reason = f"Felaktiga uppgifter om beslutet ({uuid.uuid4().hex[:6]})"
    moderator.fill("[name=reason]", reason)
    moderator.locator("main form button[type=submit]").click()
    moderator.wait_for_load_state()
    moderator.goto("/moderation/queue")
    assert moderator.locator(f"main a[href='/moderation/queue/post/{post_id}']").count() == 0

    member.goto("/notifications")  # the flagger is told, with a link to the post
    member.locator("main [data-notice-list] li a[href$='/open']").first.click()
    member.wait_for_load_state()
    assert f"post-{post_id}" in member.url or f"/p/{post_id}" in member.url
    member.goto(f"/p/{post_id}")
    assert member.locator(f"#post-{post_id} .post__gone").inner_text().endswith(reason)

    visitor = new_context().new_page()
    visitor.goto("/")
    visitor.locator("footer a[href='/moderation/log']").click()
    assert visitor.locator("main table tr").filter(has_text=reason).count() == 1


def test_language_switch_to_english_and_back(new_context):
    page = new_context().new_page()
    page.goto("/about")
    assert page.locator("html").get_attribute("lang") == "sv"
    swedish_heading = page.locator("h1").inner_text()
    english = page.locator("form.language-switch button[value=en]")
    assert english.get_attribute("lang") == "en"
    english.click()
    page.wait_for_load_state()
    assert page.url.endswith("/about")  # the switch keeps you where you were
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("a.skip-link").inner_text() == "Skip to content"
    page.goto("/login")  # the choice holds on the next page
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/about")
    page.locator("form.language-switch button[value=sv]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() == swedish_heading
