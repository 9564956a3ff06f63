"""Atom feeds of public discussion: parsed back with feedparser, checked for the elements
RFC 4287 requires, and for everything a public feed must never carry."""
from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from lxml import etree

from forum.models.base import utcnow
from forum.models.discussion import Post, PostStatus
from forum.models.live import Visibility
from tests import factories
from tests.live.conftest import make_live_session

ATOM = "{http://www.w3.org/2005/Atom}"


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/atom+xml"
    assert response.content_type == "application/atom+xml; charset=utf-8"
    return response


def _parse(response):
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def _assert_valid_atom(body: bytes, lang: str = "en") -> etree._Element:
    """The elements RFC 4287 requires of a feed and of each entry, checked on the XML."""
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links.get("alternate") and links.get("self")
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "author", "link", "content"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        assert entry.find(f"{ATOM}id").text.startswith("tag:")
    return root


@pytest.fixture
def forum(db):
    """A topic with a public thread holding every kind of post, a hidden thread, and a
    thread whose opening post waits for approval."""
    topic = factories.make_topic(title="Parking policy")
    thread = factories.make_thread(topic, title="Resident permits", posts=1)
    factories.make_post(thread, body_source="Visible reply", body_html="<p>Visible reply</p>")
    factories.make_post(thread, body_html="<p>Hidden reply</p>", hidden_at=utcnow(),
                        hidden_reason="Personal data")
    factories.make_post(thread, body_html="<p>Deleted reply</p>", deleted_at=utcnow())
    factories.make_post(thread, body_html="<p>Pending reply</p>", status=PostStatus.PENDING)
    factories.make_post(thread, body_html="<p>Rejected reply</p>", status=PostStatus.REJECTED)
    hidden = factories.make_thread(topic, title="Hidden thread", hidden_at=utcnow())
    waiting = factories.make_thread(topic, title="Waiting thread", posts=0)
    factories.make_post(waiting, body_html="<p>Waiting opening</p>", status=PostStatus.PENDING)
    return {"topic": topic, "thread": thread, "hidden": hidden, "waiting": waiting}


SECRETS = ("Hidden reply", "Deleted reply", "Pending reply", "Rejected reply", "Hidden thread",
           "Waiting thread", "Waiting opening", "Closed circle notes")


@pytest.mark.parametrize("url", ["/feeds/latest.atom", "/feeds/areas/city-governance.atom",
                                 "topic", "thread"])
def test_feeds_are_valid_atom_and_carry_only_public_posts(client, forum, url):
    url = {"topic": f"/feeds/topics/{forum['topic'].id}.atom",
           "thread": f"/feeds/threads/{forum['thread'].id}.atom"}.get(url, url)
    response = _get(client, url)
    _assert_valid_atom(response.get_data())
    feed = _parse(response)
    bodies = " ".join(e.content[0].value for e in feed.entries) + " " + \
        " ".join(e.title for e in feed.entries)
    assert "Visible reply" in bodies and "Post 1" in bodies
    for secret in SECRETS:
        assert secret not in response.get_data(as_text=True)
    assert len(feed.entries) == 2


def test_entries_are_newest_first_with_stable_ids_links_and_authors(client, db, forum):
    feed = _parse(_get(client, f"/feeds/threads/{forum['thread'].id}.atom"))
    reply, opening = feed.entries
    assert reply.title == "Re: Resident permits" and opening.title == "Resident permits"
    assert reply.id.startswith("tag:127.0.0.1,2026:post/")  # the host of FORUM_BASE_URL
    assert reply.link.endswith(f"/p/{reply.id.rsplit('/', 1)[1]}")
    assert reply.author and reply.updated_parsed and reply.published_parsed
    again = _parse(_get(client, f"/feeds/threads/{forum['thread'].id}.atom"))
    assert [e.id for e in again.entries] == [e.id for e in feed.entries]
    assert feed.feed.title == "Resident permits · Rådslag"


def test_titles_are_in_the_site_default_language_whoever_asks(app, client, db, forum):
    app.config["BABEL_DEFAULT_LOCALE"] = "sv"
    response = client.get("/feeds/latest.atom", headers={"Accept-Language": "en"})
    _assert_valid_atom(response.get_data(), lang="sv")
    feed = _parse(response)
    assert feed.feed.title == "Senaste aktivitet · Rådslag"
    assert feed.entries[0].title == "Sv: Resident permits"


def test_times_are_utc(client, db, forum):
    body = _get(client, f"/feeds/threads/{forum['thread'].id}.atom").get_data(as_text=True)
    root = etree.fromstring(body.encode())
    stamps = [el.text for el in root.iter(f"{ATOM}updated", f"{ATOM}published")]
    assert stamps and all(s.endswith("+00:00") or s.endswith("Z") for s in stamps)


def test_hidden_merged_and_waiting_threads_have_no_feed(client, db, forum):
    assert client.get(f"/feeds/threads/{forum['hidden'].id}.atom").status_code == 404
    assert client.get(f"/feeds/threads/{forum['waiting'].id}.atom").status_code == 404
    merged = factories.make_thread(forum["topic"], merged_into_id=forum["thread"].id)
    assert client.get(f"/feeds/threads/{merged.id}.atom").status_code == 404
    assert client.get("/feeds/threads/999999.atom").status_code == 404
    assert client.get("/feeds/areas/no-such-area.atom").status_code == 404
    assert client.get("/feeds/topics/999999.atom").status_code == 404


def test_moderator_signed_in_still_gets_only_public_content(client, db, login, forum):
    login(factories.make_admin())
    body = _get(client, "/feeds/latest.atom").get_data(as_text=True)
    assert all(secret not in body for secret in SECRETS)
    assert client.get(f"/feeds/threads/{forum['hidden'].id}.atom").status_code == 404


@pytest.mark.parametrize("visibility", [Visibility.INVITE_ONLY, Visibility.MEMBERS])
def test_archive_of_a_closed_session_never_reaches_a_feed(client, db, forum, visibility):
    archive = factories.make_thread(forum["topic"], title="Closed circle notes")
    make_live_session(topic=forum["topic"], visibility=visibility,
                      archive_thread_id=archive.id)
    for url in ("/feeds/latest.atom", f"/feeds/topics/{forum['topic'].id}.atom",
                "/feeds/areas/city-governance.atom"):
        assert "Closed circle notes" not in _get(client, url).get_data(as_text=True)
    assert client.get(f"/feeds/threads/{archive.id}.atom").status_code == 404


def test_archive_of_a_public_session_is_in_the_feeds(client, db, forum):
    archive = factories.make_thread(forum["topic"], title="Open hearing notes")
    make_live_session(topic=forum["topic"], archive_thread_id=archive.id)
    assert "Open hearing notes" in _get(client, "/feeds/latest.atom").get_data(as_text=True)


def test_area_feed_keeps_to_its_area(client, db, forum):
    other = factories.make_topic(factories.focus_area("quality-of-life"), title="Parks")
    factories.make_thread(other, title="Playgrounds")
    mine = _get(client, "/feeds/areas/city-governance.atom").get_data(as_text=True)
    theirs = _get(client, "/feeds/areas/quality-of-life.atom").get_data(as_text=True)
    assert "Playgrounds" not in mine and "Resident permits" in mine
    assert "Playgrounds" in theirs and "Resident permits" not in theirs


def test_post_text_stays_escaped_html(client, db, forum):
    factories.make_post(forum["thread"], body_html="<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    feed = _parse(_get(client, f"/feeds/threads/{forum['thread'].id}.atom"))
    assert "<script>" not in feed.entries[0].content[0].value


def test_empty_feed_is_still_valid_and_stable(client, db):
    topic = factories.make_topic()
    first = _get(client, f"/feeds/topics/{topic.id}.atom")
    _assert_valid_atom(first.get_data())
    assert _parse(first).entries == []
    assert client.get(f"/feeds/topics/{topic.id}.atom").headers["ETag"] == first.headers["ETag"]


def test_caching_headers_and_conditional_requests(client, db, forum):
    url = f"/feeds/threads/{forum['thread'].id}.atom"
    first = _get(client, url)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"]
    assert "Set-Cookie" not in first.headers
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    factories.make_post(forum["thread"], body_html="<p>Newer</p>")
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_edit_moves_entry_updated_but_keeps_its_id(client, db, forum):
    url = f"/feeds/threads/{forum['thread'].id}.atom"
    before = _parse(_get(client, url)).entries[0]
    post = db.session.get(Post, int(before.id.rsplit("/", 1)[1]))
    post.edited_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    after = _parse(_get(client, url)).entries[0]
    assert after.id == before.id and after.updated_parsed > before.updated_parsed


@pytest.mark.parametrize("path, feed", [
    ("/", "/feeds/latest.atom"),
    ("/areas/city-governance", "/feeds/areas/city-governance.atom"),
])
def test_pages_link_their_feeds(client, db, forum, path, feed):
    page = client.get(path).get_data(as_text=True)
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in page


def test_topic_and_thread_pages_link_their_feeds(client, db, login, forum):
    topic_page = client.get(f"/topics/{forum['topic'].id}").get_data(as_text=True)
    assert f'type="application/atom+xml" href="/feeds/topics/{forum["topic"].id}.atom"' in topic_page
    thread_page = client.get(f"/threads/{forum['thread'].id}").get_data(as_text=True)
    assert f'href="/feeds/threads/{forum["thread"].id}.atom"' in thread_page
    login(factories.make_admin())  # a moderator sees the hidden thread, but it has no feed
    hidden_page = client.get(f"/threads/{forum['hidden'].id}").get_data(as_text=True)
    assert "application/atom+xml" not in hidden_page
