"""Every payload of xss_corpus.txt, posted as body, title, display name and tag, renders inert."""
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from forum.models.discussion import Tag
from forum.services.discussion import posting
from tests import factories

CORPUS = [line.replace("\\n", "\n") for line in
          (Path(__file__).parent / "xss_corpus.txt").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "meta", "base",
                  "link", "form", "input", "details", "body", "noscript"}
URL_ATTRIBUTES = {"href", "src", "action", "data", "formaction", "xlink:href"}


class LiveContent(HTMLParser):
    """Collects anything in a page that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_main = False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        own = dict(attrs).get("src" if tag == "script" else "href", "") or ""
        if tag in ("script", "link") and own.startswith("/static/"):
            return  # our own stylesheets and scripts
        if tag == "script":
            self.problems.append(f"<{tag}>")
        if self.in_main and tag in DANGEROUS_TAGS - {"form", "input"}:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name == "style" and value and "url(" in value:
                self.problems.append(f"{tag} style url")
            if name in URL_ATTRIBUTES and value:
                plain = "".join(unquote(value).split()).lower()
                if plain.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{tag} {name}={value}")
                if tag == "img" and not plain.startswith("/"):
                    self.problems.append(f"foreign image {value}")


def assert_inert(page: str) -> None:
    parser = LiveContent()
    parser.feed(page)
    assert parser.problems == []


def pages_of(client, thread) -> list[str]:
    db_pages = -(-thread.last_position // 20)
    return [client.get(f"/threads/{thread.id}?page={n}").get_data(as_text=True)
            for n in range(1, db_pages + 1)]


def test_payloads_as_post_bodies_are_inert(client, member, db):
    thread = factories.make_thread()
    response = client.post(f"/threads/{thread.id}/reply", data={"body": CORPUS[0]})
    assert response.status_code == 302  # the first goes through HTTP, the rest via the service
    for payload in CORPUS[1:]:
        posting.reply(member, thread.id, payload)
    db.session.refresh(thread)
    assert thread.post_count == len(CORPUS) + 1
    for page in pages_of(client, thread):
        assert_inert(page)


def test_payloads_as_thread_titles_are_inert(client, member, db):
    topic = factories.make_topic()
    client.post(f"/topics/{topic.id}/threads/new", data={"title": CORPUS[0], "body": "Body"})
    threads = [posting.new_thread(topic, member, payload[:200], "Body") for payload in CORPUS[1:]]
    db.session.commit()
    assert len(threads) == len(CORPUS) - 1
    for thread in threads[:: 7]:
        assert_inert(client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True))
    assert_inert(client.get(f"/topics/{topic.id}").get_data(as_text=True))
    assert_inert(client.get(f"/topics/{topic.id}?page=2").get_data(as_text=True))
    assert_inert(client.get("/").get_data(as_text=True))


def test_payloads_as_display_names_are_inert(client, db):
    thread = factories.make_thread()
    for payload in CORPUS:
        author = factories.make_user(display_name=payload[:80])
        posting.append_post(thread, author, "Hello")
    db.session.commit()
    for page in pages_of(client, thread):
        assert_inert(page)


def test_payloads_as_tags_are_refused_or_inert(client, login, db):
    login(factories.make_moderator())
    area = factories.focus_area()
    for payload in CORPUS:
        response = client.post(f"/areas/{area.slug}/topics/new", data={"title": "Q", "tags": payload})
        assert response.status_code in (302, 400)
    topic = factories.make_topic(area)
    topic.tags = [Tag(name=payload[:40]) for payload in dict.fromkeys(p[:40] for p in CORPUS)]
    db.session.commit()  # stored directly, as if they had slipped through
    for url in (f"/topics/{topic.id}", f"/areas/{area.slug}", "/"):
        assert_inert(client.get(url).get_data(as_text=True))
