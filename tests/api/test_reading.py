"""Reading through the API: public content without a token, pages, ETags, visibility."""
from __future__ import annotations

from datetime import timedelta

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.discussion import PostStatus
from tests import factories


def test_a_threads_posts_are_listed_in_order_without_a_token(api, world):
    response = api("GET", f"/api/v1/threads/{world.thread.id}/posts")
    assert response.status_code == 200
    items = response.json["items"]
    assert [p["position"] for p in items] == [1, 2, 3]
    assert items[0]["body"] == "Post 1" and items[0]["author"]["display_name"] == "Ada Author"
    assert "email" not in items[0]["author"]
    assert response.json["next"] is None
    assert response.headers["X-RateLimit-Limit"]


def test_pages_follow_next_and_link_header(api, world):
    first = api("GET", f"/api/v1/threads/{world.thread.id}/posts?limit=2")
    assert [p["position"] for p in first.json["items"]] == [1, 2]
    assert first.headers["Link"] == f'<{first.json["next"]}>; rel="next"'
    second = api("GET", first.json["next"])
    assert [p["position"] for p in second.json["items"]] == [3]
    assert second.json["next"] is None


def test_a_cursor_of_one_list_is_refused_on_another(api, world):
    other = factories.make_thread(world.topic, world.author, posts=3)
    first = api("GET", f"/api/v1/threads/{world.thread.id}/posts?limit=1")
    cursor = first.json["next"].split("cursor=")[1].split("&")[0]
    response = api("GET", f"/api/v1/threads/{other.id}/posts?cursor={cursor}")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "cursor"
    forged = api("GET", f"/api/v1/threads/{world.thread.id}/posts?cursor=abc")
    assert forged.status_code == 422


def test_paging_while_posts_are_added_neither_skips_nor_repeats(api, world):
    seen, url = [], f"/api/v1/threads/{world.thread.id}/posts?limit=2"
    while url:
        page = api("GET", url).json
        seen += [p["id"] for p in page["items"]]
        factories.make_post(world.thread, world.other)  # someone posts between pages
        url = page["next"]
        if len(seen) > 40:
            break
    assert len(seen) == len(set(seen)), "a post came twice"
    db.session.expire_all()
    from sqlalchemy import select

    from forum.models.discussion import Post
    stored = list(db.session.scalars(select(Post.id).where(Post.thread_id == world.thread.id)
                                     .order_by(Post.position)))
    assert seen == stored[:len(seen)]  # in order, none skipped
    assert len(seen) == 4  # 1-2, then 3 and the post added meanwhile; the rest came later


def test_a_single_post_has_an_etag_and_answers_304(api, world):
    post_id = api("GET", f"/api/v1/threads/{world.thread.id}/posts").json["items"][1]["id"]
    first = api("GET", f"/api/v1/posts/{post_id}")
    etag = first.headers["ETag"]
    again = api("GET", f"/api/v1/posts/{post_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    factories.make_user()  # unrelated change: same answer
    from forum.models.discussion import Post
    post = db.session.get(Post, post_id)
    post.body_source, post.body_html = "Changed", "<p>Changed</p>"
    db.session.commit()
    changed = api("GET", f"/api/v1/posts/{post_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["body"] == "Changed"
    assert changed.headers["ETag"] != etag


def test_hidden_posts_keep_their_place_but_not_their_text(api, world, token_for):
    from sqlalchemy import select

    from forum.models.discussion import Post
    post = db.session.scalars(select(Post).where(Post.thread_id == world.thread.id,
                                                 Post.position == 2)).one()
    post.hidden_at, post.hidden_reason = utcnow(), "Off topic"
    db.session.commit()
    items = api("GET", f"/api/v1/threads/{world.thread.id}/posts").json["items"]
    assert items[1]["body"] is None and items[1]["hidden"]["reason"] == "Off topic"
    mine = api("GET", f"/api/v1/threads/{world.thread.id}/posts",
               token=token_for(world.author, "read")).json["items"]
    assert mine[1]["body"] == "Post 2"  # authors still read their hidden post


def test_pending_posts_are_left_out_for_others(api, world, token_for):
    factories.make_post(world.thread, world.other, status=PostStatus.PENDING,
                        body_source="Waiting")
    public = api("GET", f"/api/v1/threads/{world.thread.id}/posts").json["items"]
    assert [p["position"] for p in public] == [1, 2, 3]
    own = api("GET", f"/api/v1/threads/{world.thread.id}/posts",
              token=token_for(world.other, "read")).json["items"]
    assert own[-1]["body"] == "Waiting" and own[-1]["status"] == "pending"


def test_pending_posts_come_only_after_the_last_page_oldest_first(api, world, token_for):
    for body in ("First waiting", "Second waiting"):
        factories.make_post(world.thread, world.other, status=PostStatus.PENDING,
                            body_source=body)
    token = token_for(world.other, "read")
    first = api("GET", f"/api/v1/threads/{world.thread.id}/posts?limit=2", token=token).json
    assert [p["position"] for p in first["items"]] == [1, 2]
    last = api("GET", first["next"], token=token).json
    assert last["next"] is None
    assert [(p["position"], p["body"]) for p in last["items"]] == [
        (3, "Post 3"), (None, "First waiting"), (None, "Second waiting")]


def test_the_areas_moderator_sees_pending_posts_and_hidden_text_in_the_list(api, world,
                                                                           token_for):
    """The list reads posts as plain rows; the moderator rules must still find their area."""
    from sqlalchemy import select

    from forum.models.accounts import ModeratorScope
    from forum.models.discussion import Post
    post = db.session.scalars(select(Post).where(Post.thread_id == world.thread.id,
                                                 Post.position == 2)).one()
    post.hidden_at, post.hidden_reason = utcnow(), "Off topic"
    factories.make_post(world.thread, world.other, status=PostStatus.PENDING,
                        body_source="Waiting")
    ours, elsewhere = factories.make_moderator(), factories.make_moderator()
    db.session.add(ModeratorScope(user_id=ours.id, focus_area_id=world.area.id))
    db.session.add(ModeratorScope(user_id=elsewhere.id,
                                  focus_area_id=factories.focus_area("quality-of-life").id))
    db.session.commit()
    url = f"/api/v1/threads/{world.thread.id}/posts"
    seen = api("GET", url, token=token_for(ours, "read")).json["items"]
    assert [p["body"] for p in seen] == ["Post 1", "Post 2", "Post 3", "Waiting"]
    other = api("GET", url, token=token_for(elsewhere, "read")).json["items"]
    assert [p["body"] for p in other] == ["Post 1", None, "Post 3"]


def test_unknown_api_url_is_a_problem_not_a_page(api, db):
    response = api("GET", "/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json if response.is_json else __import__("json").loads(response.data)
    assert body["status"] == 404 and body["type"].endswith("/api/v1/problems/not-found")


def test_wrong_method_is_405_with_allow(api, world):
    response = api("PUT", f"/api/v1/threads/{world.thread.id}")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.mimetype == "application/problem+json"


def test_problem_types_are_described(api, db):
    response = api("GET", "/api/v1/problems/insufficient-scope")
    assert response.status_code == 200 and response.json["status"] == 403
    assert api("GET", "/api/v1/problems/nonsense").status_code == 404


def test_areas_topics_threads_and_members(api, world):
    areas = api("GET", "/api/v1/areas").json["items"]
    assert world.area.slug in [a["slug"] for a in areas]
    topics = api("GET", f"/api/v1/areas/{world.area.slug}/topics").json["items"]
    assert world.topic.id in [t["id"] for t in topics]
    threads = api("GET", f"/api/v1/topics/{world.topic.id}/threads").json["items"]
    assert [t["id"] for t in threads] == [world.thread.id]
    member = api("GET", f"/api/v1/members/{world.author.id}").json
    assert member["display_name"] == "Ada Author" and "email" not in member


def test_hidden_threads_are_not_found_for_others(api, world, token_for):
    world.thread.hidden_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert api("GET", f"/api/v1/threads/{world.thread.id}").status_code == 404
    assert api("GET", f"/api/v1/topics/{world.topic.id}/threads").json["items"] == []
    own = api("GET", f"/api/v1/threads/{world.thread.id}", token=token_for(world.author))
    assert own.status_code == 200


def test_a_topics_threads_cost_the_same_queries_for_3_or_30(api, world, app):
    """The thread list loads authors with the threads (no query per thread)."""
    from sqlalchemy import event

    def queries_for_list() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert api("GET", f"/api/v1/topics/{world.topic.id}/threads?limit=100"
                       ).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    for _ in range(2):
        factories.make_thread(world.topic, factories.make_user())
    few = queries_for_list()
    for _ in range(27):
        factories.make_thread(world.topic, factories.make_user())
    assert queries_for_list() == few
