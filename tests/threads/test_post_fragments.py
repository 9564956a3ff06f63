"""The cached part of a post (author line, time, notices, body) never goes stale: every value
it shows is part of its cache key, so any change renders it anew."""
from datetime import timedelta

from forum import fragments
from forum.models.base import utcnow
from forum.models.discussion import PostStatus, Reaction, ReactionKind
from tests import factories


def page(client, thread) -> str:
    response = client.get(f"/threads/{thread.id}?page=1")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_second_view_is_served_from_the_cache(client, app, db):
    thread = factories.make_thread(posts=3)
    page(client, thread)
    with app.app_context():
        hits = fragments.cache().hits
    page(client, thread)
    with app.app_context():
        assert fragments.cache().hits >= hits + 3


def test_author_changes_show_at_once(client, db):
    author = factories.make_user(display_name="Anna Ek", organisation="Old Org")
    thread = factories.make_thread(author=author, posts=2)
    html = page(client, thread)
    assert "Anna Ek" in html and "Old Org" in html and "badge--verified" not in html

    author.display_name = "Anna Berg"  # one change at a time: each must show by itself
    db.session.commit()
    html = page(client, thread)
    assert "Anna Berg" in html and "Anna Ek" not in html
    author.organisation = "New Org"
    db.session.commit()
    html = page(client, thread)
    assert "New Org" in html and "Old Org" not in html
    author.verified_at = utcnow()
    db.session.commit()
    assert "badge--verified" in page(client, thread)


def test_edits_and_moderation_show_at_once(client, db):
    thread = factories.make_thread(posts=1)
    post = factories.make_post(thread, body_html="<p>First words.</p>")
    assert "First words." in page(client, thread)

    post.body_html, post.edited_at = "<p>Second words.</p>", utcnow()
    db.session.commit()
    html = page(client, thread)
    assert "Second words." in html and "First words." not in html
    assert f"/posts/{post.id}/revisions" in html

    post.body_html = "<p>Third words.</p>"  # as when a moderator edits out personal data
    db.session.commit()
    assert "Third words." in page(client, thread)

    post.hidden_at, post.hidden_reason = utcnow(), "Off topic"
    db.session.commit()
    html = page(client, thread)
    assert "Hidden by a moderator: Off topic" in html and "Third words." not in html
    post.hidden_reason = "Personal attack"
    db.session.commit()
    assert "Hidden by a moderator: Personal attack" in page(client, thread)

    post.hidden_at, post.deleted_at = None, utcnow() + timedelta(seconds=1)
    db.session.commit()
    html = page(client, thread)
    assert "Deleted by the author" in html and "Personal attack" not in html


def test_what_the_author_sees_differs_from_others(client, login, db):
    author = factories.make_user()
    thread = factories.make_thread(posts=1)
    post = factories.make_post(thread, author, body_html="<p>Kept for the author.</p>",
                               status=PostStatus.PUBLISHED)
    post.hidden_at, post.hidden_reason = utcnow(), "Off topic"
    db.session.commit()
    assert "Kept for the author." not in page(client, thread)  # a guest: cached without body
    login(author)
    assert "Kept for the author." in page(client, thread)  # the author reads the text


def test_language_switch_changes_cached_labels(client, db):
    thread = factories.make_thread(posts=1)
    assert "personal view" in page(client, thread)
    client.set_cookie("radslag_lang", "sv")
    html = page(client, thread)
    assert "personlig åsikt" in html and "personal view" not in html


def test_cache_stays_within_its_bound(app):
    cache = fragments.FragmentCache(max_chars=1000)
    for i in range(50):
        cache.put(i, "x" * 100)
    assert len(cache) == 10 and cache.get(0) is None and cache.get(49) == "x" * 100
    cache.put("huge", "y" * 500)  # over an eighth of the bound: not kept
    assert cache.get("huge") is None


def test_reader_specific_parts_follow_the_reader(client, app, login, db):
    author, reader = factories.make_user(), factories.make_user()
    thread = factories.make_thread(posts=1)
    post = factories.make_post(thread, author)
    login(reader)
    html = page(client, thread)
    assert f"/posts/{post.id}/edit" not in html and 'aria-pressed="true"' not in html
    client.post(f"/posts/{post.id}/react", data={"kind": "thanks"})
    html = page(client, thread)
    assert 'aria-pressed="true" value="thanks">Thanks <span class="reaction__count">1</span>' in html

    other = app.test_client()
    other.set_cookie("radslag_lang", "en")
    other.post("/login", data={"email": author.email, "password": factories.PASSWORD})
    html = page(other, thread)
    assert f"/posts/{post.id}/edit" in html  # the author's own post
    assert 'aria-pressed' not in html.split(f'id="post-{post.id}"')[1]  # no reacting to it
    assert 'reaction--static">Thanks <span class="reaction__count">1</span>' in html


def test_counts_and_own_reactions_each_change_the_post(client, app, login, db):
    thread = factories.make_thread(posts=1)
    post = factories.make_post(thread)
    reader = login(factories.make_user())
    assert "reaction__count" not in page(client, thread)
    db.session.add(Reaction(post_id=post.id, user_id=factories.make_user().id,
                            kind=ReactionKind.AGREE))  # someone else reacts: only counts move
    db.session.commit()
    assert 'value="agree">Agree <span class="reaction__count">1</span>' in page(client, thread)

    db.session.add(Reaction(post_id=post.id, user_id=reader.id, kind=ReactionKind.THANKS))
    db.session.commit()
    assert 'aria-pressed="true" value="thanks">Thanks' in page(client, thread)
    second = app.test_client()  # same counts, none of them hers: only "mine" differs
    second.set_cookie("radslag_lang", "en")
    second.post("/login", data={"email": factories.make_user().email,
                                "password": factories.PASSWORD})
    html = page(second, thread)
    assert 'value="thanks">Thanks <span class="reaction__count">1</span>' in html
    assert 'aria-pressed="true"' not in html


def test_reply_form_follows_the_members_role_line(client, member, db):
    thread = factories.make_thread(posts=1)
    assert "In my role: Deputy mayor, Helsingborg" in page(client, thread)
    member.title = "Mayor"
    db.session.commit()
    html = page(client, thread)
    assert "In my role: Mayor, Helsingborg" in html and "Deputy mayor" not in html


def test_thread_page_forms_carry_a_valid_csrf_token(app, client, db):
    """Reactions and deletes post through the page's shared #post-actions form, replies
    through the reply form: both tokens are fresh per page and accepted; none is refused."""
    import re

    author = factories.make_user()
    thread = factories.make_thread(posts=1)
    post = factories.make_post(thread)
    client.post("/login", data={"email": author.email, "password": factories.PASSWORD})
    app.config["WTF_CSRF_ENABLED"] = True
    html = page(client, thread)
    shared = re.search(r'<form id="post-actions" method="post" hidden><input type="hidden" '
                       r'name="csrf_token" value="([^"]+)">', html).group(1)
    assert f'form="post-actions" formaction="/posts/{post.id}/react"' in html
    assert client.post(f"/posts/{post.id}/react", data={"kind": "agree"}).status_code == 400
    assert client.post(f"/posts/{post.id}/react",
                       data={"kind": "agree", "csrf_token": shared}).status_code == 302
    reply_token = re.search(r'action="/threads/\d+/reply" novalidate>\s*<input type="hidden" '
                            r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(f"/threads/{thread.id}/reply",
                           data={"body": "Agreed.", "capacity": "personal",
                                 "csrf_token": reply_token})
    assert response.status_code == 302
