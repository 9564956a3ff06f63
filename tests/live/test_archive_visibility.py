"""The archive thread of a session is seen only by who may see the session: public → anyone,
members-only → signed-in members, invite-only → the invited, the session's own people and
moderators. Checked for each kind of reader on every surface that shows threads or posts."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db as _db
from forum.models.live import SessionStatus, Visibility
from forum.models.notifications import FollowTarget, Notification
from forum.models.search import SearchEntry
from forum.services import accounts
from forum.services.live import archive as live_archive
from forum.services.notifications import following
from tests import factories
from tests.live.conftest import make_live_session

MARK = "Kajzonering"  # in the session's title, so in the archive thread's title
READERS = ("anonymous", "member", "invitee", "moderator")
SEES = {Visibility.PUBLIC: set(READERS),
        Visibility.MEMBERS: {"member", "invitee", "moderator"},
        Visibility.INVITE_ONLY: {"invitee", "moderator"}}
CASES = [pytest.param(v, r, id=f"{v.value}-{r}") for v in Visibility for r in READERS]


class World:
    """A topic with one ordinary thread and the archive of an ended session."""

    def __init__(self, app, client, visibility: Visibility):
        self.client = client
        self.area = factories.focus_area()
        self.topic = factories.make_topic(self.area)
        self.ordinary = factories.make_thread(self.topic, title="Ordinary thread")
        self.closer = factories.make_moderator()
        self.people = {"member": factories.make_user(), "invitee": factories.make_user(),
                       "moderator": factories.make_moderator()}
        self.follower = factories.make_user()  # follows the topic, is invited nowhere
        following.follow(self.follower, "topic", self.topic.id)
        self.session = make_live_session(topic=self.topic, moderator=self.closer,
                                         invitees=[self.people["invitee"]],
                                         visibility=visibility, title=f"{MARK} vid kajen")
        with app.test_request_context():
            self.thread = live_archive.archive(self.session, self.closer)
            self.session.status = SessionStatus.ENDED
            _db.session.commit()
        self.post = self.thread_posts()[0]

    def thread_posts(self):
        from forum.models.discussion import Post
        return _db.session.scalars(select(Post).where(Post.thread_id == self.thread.id)
                                   .order_by(Post.position)).all()

    def sign_in(self, reader: str):
        """Sign the page client in as the reader; returns an API token (None: anonymous)."""
        self.client.set_cookie("radslag_lang", "en")
        if reader == "anonymous":
            return None
        user = self.people[reader]
        response = self.client.post("/login", data={"email": user.email,
                                                    "password": factories.PASSWORD})
        assert response.status_code == 302
        return accounts.create_token(user, "tests", ("read", "write"))[1]

    def page(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    def api(self, url: str, token: str | None, method: str = "GET"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.open(url, method=method, headers=headers)

    def links_thread(self, html: str) -> bool:
        return re.search(rf"/threads/{self.thread.id}(?!\d)", html) is not None


@pytest.fixture
def world(app, client):
    return lambda visibility: World(app, client, visibility)


def _check_shown(world: World, html: str, sees: bool) -> None:
    if sees:
        assert world.links_thread(html)
    else:
        assert MARK not in html and not world.links_thread(html)


@pytest.mark.parametrize(("visibility", "reader"), CASES)
def test_thread_page_permalink_and_revisions(world, visibility, reader):
    w = world(visibility)
    w.sign_in(reader)
    sees = reader in SEES[visibility]
    for url in (f"/threads/{w.thread.id}", f"/p/{w.post.id}", f"/posts/{w.post.id}/revisions"):
        status = w.client.get(url).status_code
        assert (status in (200, 302)) if sees else status == 404, (url, status)


@pytest.mark.parametrize(("visibility", "reader"), CASES)
def test_topic_and_area_pages_list_and_count_only_what_the_reader_may_see(
        world, visibility, reader):
    w = world(visibility)
    w.sign_in(reader)
    sees = reader in SEES[visibility]
    _check_shown(w, w.page(f"/topics/{w.topic.id}"), sees)
    area = w.page(f"/areas/{w.area.slug}")
    counted = "2 threads · 2 posts" if sees else "1 thread · 1 post"
    assert counted in area
    assert ("2 threads" in w.page("/")) is sees


@pytest.mark.parametrize(("visibility", "reader"), CASES)
def test_home_and_profile_activity(world, visibility, reader):
    w = world(visibility)
    w.sign_in(reader)
    sees = reader in SEES[visibility]
    _check_shown(w, w.page("/"), sees)
    profile = w.page(f"/members/{w.closer.id}")  # the closing moderator wrote the archive
    assert (f"/p/{w.post.id}" in profile or w.links_thread(profile)) is sees
    if not sees:
        assert MARK not in profile


@pytest.mark.parametrize(("visibility", "reader"), CASES)
def test_api_lists_counts_and_single_resources(world, visibility, reader):
    w = world(visibility)
    token = w.sign_in(reader)
    sees = reader in SEES[visibility]
    listed = w.api(f"/api/v1/topics/{w.topic.id}/threads", token).get_json()
    assert (w.thread.id in {t["id"] for t in listed["items"]}) is sees
    topic = w.api(f"/api/v1/topics/{w.topic.id}", token).get_json()
    assert (topic["thread_count"], topic["post_count"]) == ((2, 2) if sees else (1, 1))
    topics = w.api(f"/api/v1/areas/{w.area.slug}/topics", token).get_json()["items"]
    mine = next(t for t in topics if t["id"] == w.topic.id)
    assert mine["thread_count"] == (2 if sees else 1)
    for url in (f"/api/v1/threads/{w.thread.id}", f"/api/v1/threads/{w.thread.id}/posts",
                f"/api/v1/posts/{w.post.id}", f"/api/v1/posts/{w.post.id}/replies",
                f"/api/v1/posts/{w.post.id}/revisions"):
        assert w.api(url, token).status_code == (200 if sees else 404), url


@pytest.mark.parametrize(("visibility", "reader"), CASES)
def test_search_page_and_api(world, visibility, reader):
    """Search holds what everyone or every member may see: an invite-only archive is never
    indexed, so not even its invitees find it there (they read it in its topic)."""
    w = world(visibility)
    token = w.sign_in(reader)
    findable = reader in SEES[visibility] and visibility != Visibility.INVITE_ONLY
    found = w.page(f"/search?q={MARK}")  # the page repeats the query: look for the hit
    assert (w.links_thread(found) or f"/p/{w.post.id}" in found) is findable
    hits = w.api(f"/api/v1/search?q={MARK}", token).get_json()["items"]
    assert any(f"/threads/{w.thread.id}" in h["url"] for h in hits) is findable
    if visibility == Visibility.INVITE_ONLY:
        assert _db.session.scalar(select(SearchEntry.id).where(
            SearchEntry.kind == "thread", SearchEntry.object_id == w.thread.id)) is None


@pytest.mark.parametrize(("visibility", "reader"), CASES)
def test_follow_is_refused_as_not_found(world, visibility, reader):
    w = world(visibility)
    w.sign_in(reader)
    sees = reader in SEES[visibility]
    response = w.client.post(f"/follow/thread/{w.thread.id}")
    if reader == "anonymous":
        assert response.status_code in (302, 401, 404)
    else:
        assert (response.status_code != 404) is sees
        user = w.people[reader]
        assert following.is_following(user, FollowTarget.THREAD, w.thread.id) is sees


@pytest.mark.parametrize("visibility", list(Visibility))
def test_topic_followers_hear_of_the_archive_only_if_they_may_see_it(world, visibility):
    w = world(visibility)
    notices = _db.session.scalars(select(Notification).where(
        Notification.user_id == w.follower.id, Notification.thread_id == w.thread.id)).all()
    assert bool(notices) is (visibility != Visibility.INVITE_ONLY)  # the follower is a member


@pytest.mark.parametrize("visibility", list(Visibility))
def test_feeds_carry_only_public_archives(world, visibility):
    w = world(visibility)
    public = visibility == Visibility.PUBLIC
    for url in ("/feeds/latest.atom", f"/feeds/areas/{w.area.slug}.atom",
                f"/feeds/topics/{w.topic.id}.atom"):
        assert (f"/threads/{w.thread.id}" in w.page(url) or f"/p/{w.post.id}" in w.page(url)) \
            is public, url
    assert w.client.get(f"/feeds/threads/{w.thread.id}.atom").status_code == (
        200 if public else 404)


def test_a_moderator_of_another_area_does_not_see_an_invite_only_archive(world, app):
    from forum.models.accounts import ModeratorScope
    w = world(Visibility.INVITE_ONLY)
    other = factories.focus_area("quality-of-life")
    scoped = factories.make_moderator()
    _db.session.add(ModeratorScope(user_id=scoped.id, focus_area_id=other.id))
    _db.session.commit()
    w.people["moderator"] = scoped
    w.sign_in("moderator")
    assert w.client.get(f"/threads/{w.thread.id}").status_code == 404
    _check_shown(w, w.page(f"/topics/{w.topic.id}"), False)


def test_replying_to_an_unseen_archive_is_refused_and_stores_nothing(world):
    w = world(Visibility.INVITE_ONLY)
    w.sign_in("member")
    before = len(w.thread_posts())
    response = w.client.post(f"/threads/{w.thread.id}/reply", data={"body": "Let me in"})
    assert response.status_code in (403, 404)
    assert len(w.thread_posts()) == before


def test_a_threads_noted_archive_fact_is_forgotten_when_the_session_changes(world, app):
    """A thread is loaded with whether it is a restricted archive; making the session
    invite-only later in the same request must not leave the old answer standing."""
    from flask_login import AnonymousUserMixin

    from forum.models.live import LiveSession
    from forum.permissions.archives import may_see_archive
    from forum.services.discussion import posting
    w = world(Visibility.PUBLIC)
    thread_id, session_id = w.thread.id, w.session.id
    with app.test_request_context():
        _db.session.expunge_all()  # so the thread is read (and its fact noted) anew
        thread = posting.get_thread(thread_id)
        assert may_see_archive(AnonymousUserMixin(), thread)
        session = _db.session.get(LiveSession, session_id)
        session.visibility = Visibility.INVITE_ONLY
        _db.session.flush()
        assert not may_see_archive(AnonymousUserMixin(), thread)
