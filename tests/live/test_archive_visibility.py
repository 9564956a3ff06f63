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
    """Search finds the archive for those who may see it, an invite-only one too (its
    entries are for the session's invitees and staff), and shows others not even a count."""
    w = world(visibility)
    token = w.sign_in(reader)
    findable = reader in SEES[visibility]
    found = w.page(f"/search?q={MARK}")  # the page repeats the query: look for the hit
    assert (w.links_thread(found) or f"/p/{w.post.id}" in found) is findable
    listed = w.api(f"/api/v1/search?q={MARK}", token).get_json()
    assert any(f"/threads/{w.thread.id}" in h["url"] for h in listed["items"]) is findable
    assert (listed["total"] > 0) is findable
    if visibility == Visibility.INVITE_ONLY:
        assert _db.session.scalar(select(SearchEntry.audience_session_id).where(
            SearchEntry.kind == "thread", SearchEntry.object_id == w.thread.id)) == w.session.id


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


# Every route that acts on a post or thread by id. For a reader who may not see the archive
# each answers 404, as a missing id does: a 403 would tell them the thing exists.
_LATER = "2099-01-01T12:00:00+00:00"
PAGE_ACTIONS = [
    ("GET", "/moderation/flag/post/{p}", None), ("POST", "/moderation/flag/post/{p}",
                                                 {"reason": "spam"}),
    ("POST", "/moderation/flag/thread/{t}", {"reason": "spam"}),
    ("POST", "/posts/{p}/react", {"kind": "agree"}),
    ("GET", "/threads/{t}/reply?parent={p}&quote=1", None),
    ("POST", "/threads/{t}/reply", {"body": "Let me in"}),
    ("GET", "/posts/{p}/edit", None), ("POST", "/posts/{p}/edit", {"body": "Changed"}),
    ("POST", "/posts/{p}/delete", None),
    ("POST", "/follow/thread/{t}", None), ("POST", "/unfollow/thread/{t}", None),
    ("GET", "/threads/{t}/proposals/new", None), ("GET", "/threads/{t}/rounds/new", None),
    ("GET", "/moderation/queue/post/{p}", None), ("GET", "/moderation/posts/{p}/edit-out", None),
    ("POST", "/moderation/posts/{p}/approve", None),
    ("POST", "/moderation/posts/{p}/reject", {"reason": "x"}),
    ("GET", "/moderation/threads/{t}/move", None), ("GET", "/moderation/threads/{t}/merge", None),
    ("POST", "/moderation/threads/{t}/lock", None), ("POST", "/moderation/threads/{t}/pin", None),
    ("POST", "/moderation/post/{p}/hide", {"reason": "x"}),
    ("POST", "/moderation/thread/{t}/hide", {"reason": "x"}),
    ("POST", "/moderation/post/{p}/restore", {"reason": "x"}),
]
API_ACTIONS = [
    ("POST", "/api/v1/posts/{p}/flags", {"reason": "spam"}),
    ("POST", "/api/v1/threads/{t}/flags", {"reason": "spam"}),
    ("PUT", "/api/v1/posts/{p}/reactions/agree", None),
    ("DELETE", "/api/v1/posts/{p}/reactions/agree", None),
    ("GET", "/api/v1/posts/{p}/reactions", None),
    ("PATCH", "/api/v1/posts/{p}", {"body": "Changed"}), ("DELETE", "/api/v1/posts/{p}", None),
    ("POST", "/api/v1/threads/{t}/posts", {"body": "Let me in"}),
    ("PUT", "/api/v1/me/subscriptions/thread/{t}", None),
    ("DELETE", "/api/v1/me/subscriptions/thread/{t}", None),
    ("GET", "/api/v1/threads/{t}/proposals", None),
    ("POST", "/api/v1/threads/{t}/proposals", {"title": "T", "statement": "S",
                                               "closes_at": _LATER}),
]


def _stored_by(world: World, reader: str) -> dict:
    """What the reader has left on the archive: flags, reactions, posts, subscriptions."""
    from sqlalchemy import func

    from forum.models.discussion import Post, Reaction
    from forum.models.moderation import Flag
    from forum.models.notifications import Subscription
    user = world.people[reader]
    counts = {}
    for model, owner in ((Flag, Flag.reporter_id), (Reaction, Reaction.user_id),
                         (Post, Post.author_id), (Subscription, Subscription.user_id)):
        counts[model.__name__] = _db.session.scalar(select(func.count()).select_from(model)
                                                    .where(owner == user.id))
    return counts


@pytest.mark.parametrize("surface", ["pages", "api"])
@pytest.mark.parametrize(("visibility", "reader"), CASES)
def test_acting_on_an_unseen_archive_is_not_found(world, visibility, reader, surface):
    w = world(visibility)
    token = w.sign_in(reader)
    sees = reader in SEES[visibility]
    before = None if reader == "anonymous" else _stored_by(w, reader)
    for method, url, data in PAGE_ACTIONS if surface == "pages" else API_ACTIONS:
        url = url.format(p=w.post.id, t=w.thread.id)
        if surface == "pages":
            status = w.client.open(url, method=method, data=data).status_code
        else:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            status = w.client.open(url, method=method, json=data, headers=headers).status_code
        if sees:
            assert status != 404, (method, url)
        elif reader == "anonymous":  # asked to sign in first, whatever the id
            assert status in (302, 401, 404), (method, url, status)
        else:
            assert status == 404, (method, url, status)
    if not sees and before is not None:
        assert _stored_by(w, reader) == before


def test_a_scoped_moderator_of_another_area_is_told_not_found(world, app):
    from forum.models.accounts import ModeratorScope
    w = world(Visibility.INVITE_ONLY)
    scoped = factories.make_moderator()
    _db.session.add(ModeratorScope(user_id=scoped.id,
                                   focus_area_id=factories.focus_area("quality-of-life").id))
    _db.session.commit()
    w.people["moderator"] = scoped
    w.sign_in("moderator")
    for method, url, data in PAGE_ACTIONS:
        url = url.format(p=w.post.id, t=w.thread.id)
        assert w.client.open(url, method=method, data=data).status_code == 404, (method, url)


def test_a_removed_invitee_may_still_unfollow(world):
    from forum.models.live import Invitation
    w = world(Visibility.INVITE_ONLY)
    w.sign_in("invitee")
    assert w.client.post(f"/follow/thread/{w.thread.id}").status_code == 302
    invitee = w.people["invitee"]
    _db.session.execute(Invitation.__table__.delete().where(
        Invitation.user_id == invitee.id))
    _db.session.commit()
    assert w.client.post(f"/follow/thread/{w.thread.id}").status_code == 404
    assert w.client.post(f"/unfollow/thread/{w.thread.id}").status_code == 302
    assert not following.is_following(invitee, FollowTarget.THREAD, w.thread.id)


def test_an_unseen_archive_answers_word_for_word_as_a_missing_id(world):
    """Not only the status: the problem's text too is that of an id that does not exist."""
    w = world(Visibility.INVITE_ONLY)
    token = w.sign_in("member")
    headers = {"Authorization": f"Bearer {token}"}
    missing = 10**6
    for method, url, data in API_ACTIONS:
        def answer(post_id, thread_id, url=url, method=method, data=data):
            response = w.client.open(url.format(p=post_id, t=thread_id), method=method,
                                     json=data, headers=headers)
            body = response.get_json() or {}
            return response.status_code, body.get("detail"), body.get("code")
        assert answer(w.post.id, w.thread.id) == answer(missing, missing), (method, url)
