"""Writing: starting threads, replying, quoting, capacity, editing with revisions, deleting."""
import pytest

from forum.models.discussion import Capacity, Post, Revision, Thread, TopicStatus
from tests import factories
from tests.threads.conftest import count


def test_member_starts_thread_in_open_topic(client, member, db):
    topic = factories.make_topic()
    response = client.post(f"/topics/{topic.id}/threads/new",
                           data={"title": "Parking norms", "body": "Should we drop them?"})
    assert response.status_code == 302
    thread = db.session.scalars(db.select(Thread).where(Thread.topic_id == topic.id)).one()
    assert thread.title == "Parking norms" and thread.post_count == 1


@pytest.mark.parametrize("status", [TopicStatus.CLOSED, TopicStatus.ARCHIVED])
def test_no_new_thread_in_closed_or_archived_topic(client, member, db, status):
    topic = factories.make_topic(status=status)
    response = client.post(f"/topics/{topic.id}/threads/new", data={"title": "T", "body": "B"})
    assert response.status_code == 403
    assert count(Thread, Thread.topic_id == topic.id) == 0


@pytest.mark.parametrize("status", [TopicStatus.CLOSED, TopicStatus.ARCHIVED])
def test_no_reply_in_closed_or_archived_topic(client, member, db, status):
    thread = factories.make_thread(factories.make_topic(status=status))
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Hello"})
    assert response.status_code == 403
    assert "closed" in response.get_data(as_text=True) or "archived" in response.get_data(as_text=True)
    assert count(Post, Post.thread_id == thread.id) == 1


def test_reply_with_parent_is_nested(client, member, db):
    thread = factories.make_thread(posts=2)
    parent = db.session.scalars(thread.posts.select()).first()
    response = client.post(f"/threads/{thread.id}/reply",
                           data={"body": "I agree", "parent_id": str(parent.id)})
    assert response.status_code == 302
    post = db.session.scalars(db.select(Post).where(Post.body_source == "I agree")).one()
    assert post.parent_id == parent.id and post.depth == 1 and post.position == 3
    db.session.refresh(thread)
    assert thread.post_count == 3 and thread.last_poster_id == member.id


def test_reply_to_post_of_other_thread_is_refused(client, member, db):
    thread, other = factories.make_thread(), factories.make_thread()
    foreign = db.session.scalars(other.posts.select()).first()
    response = client.post(f"/threads/{thread.id}/reply",
                           data={"body": "Sneaky", "parent_id": str(foreign.id)})
    assert response.status_code == 400
    assert "only reply to a post in this thread" in response.get_data(as_text=True)
    assert count(Post, Post.body_source == "Sneaky") == 0


@pytest.mark.parametrize("body", ["", "   \n\t  ", "x" * 20_001])
def test_bad_reply_body_is_refused_and_nothing_stored(client, member, db, body):
    thread = factories.make_thread()
    response = client.post(f"/threads/{thread.id}/reply", data={"body": body})
    assert response.status_code == 400
    assert 'class="field__error"' in response.get_data(as_text=True)
    assert count(Post, Post.thread_id == thread.id) == 1


@pytest.mark.parametrize("title,body", [("", "Body"), ("   ", "Body"), ("t" * 201, "Body"),
                                        ("Title", ""), ("Title", " \n "), ("Title", "b" * 20_001)])
def test_bad_new_thread_is_refused_and_nothing_stored(client, member, db, title, body):
    topic = factories.make_topic()
    response = client.post(f"/topics/{topic.id}/threads/new", data={"title": title, "body": body})
    assert response.status_code == 400
    assert 'class="field__error"' in response.get_data(as_text=True)
    assert count(Thread, Thread.topic_id == topic.id) == 0


def test_body_at_the_limit_is_accepted(client, member, db):
    thread = factories.make_thread()
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "y" * 20_000})
    assert response.status_code == 302


def test_quote_prefills_block_linking_back(client, member, db):
    thread = factories.make_thread()
    post = factories.make_post(thread, body_source="Original thought")
    page = client.get(f"/threads/{thread.id}/reply?to={post.id}&quote=1").get_data(as_text=True)
    assert f"[wrote](/p/{post.id})" in page and "&gt; Original thought" in page


def test_quoted_reply_renders_backlink(client, member, db):
    thread = factories.make_thread()
    post = factories.make_post(thread, body_source="Original thought")
    body = f"> **Someone** [wrote](/p/{post.id}):\n>\n> Original thought\n\nIndeed."
    client.post(f"/threads/{thread.id}/reply", data={"body": body, "parent_id": post.id})
    stored = db.session.scalars(db.select(Post).where(Post.body_source.contains("Indeed"))).one()
    assert '<blockquote>' in stored.body_html and f'href="/p/{post.id}"' in stored.body_html


def test_mention_links_to_profile(client, member, db):
    anna = factories.make_user(display_name="Anna Lindqvist")
    thread = factories.make_thread()
    client.post(f"/threads/{thread.id}/reply", data={"body": "Over to @Anna_Lindqvist"})
    page = client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    assert f'<a href="/members/{anna.id}" class="mention"' in page


def test_post_in_role_shows_title_and_organisation(client, member, db):
    thread = factories.make_thread()
    client.post(f"/threads/{thread.id}/reply", data={"body": "Officially", "capacity": "role"})
    post = db.session.scalars(db.select(Post).where(Post.body_source == "Officially")).one()
    assert post.capacity == Capacity.ROLE and post.capacity_label == "Deputy mayor, Helsingborg"
    page = client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    assert "Deputy mayor, Helsingborg" in page and "in role" in page


def test_role_capacity_needs_a_role_line(client, login, db):
    login(factories.make_user(verified=True, title="", organisation=""))
    thread = factories.make_thread()
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Hi", "capacity": "role"})
    assert response.status_code == 400
    assert count(Post, Post.thread_id == thread.id) == 1


def test_edit_keeps_revision_and_marks_edited(client, member, db):
    thread = factories.make_thread()
    post = factories.make_post(thread, member, body_source="First words")
    response = client.post(f"/posts/{post.id}/edit", data={"body": "Better words"})
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.body_source == "Better words" and post.edited_at is not None
    assert post.edit_count == 1
    revision = db.session.scalars(db.select(Revision).where(Revision.post_id == post.id)).one()
    assert revision.body_source == "First words" and revision.editor_id == member.id
    page = client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    assert "edited" in page


def test_revisions_show_diff_to_readers(client, member, db):
    post = factories.make_post(factories.make_thread(), member, body_source="one\ntwo")
    client.post(f"/posts/{post.id}/edit", data={"body": "one\nthree"})
    client.post("/logout")
    page = client.get(f"/posts/{post.id}/revisions").get_data(as_text=True)
    assert '<span class="diff__del">- two</span>' in page
    assert '<span class="diff__add">+ three</span>' in page


def test_editing_another_members_post_is_refused(client, member, db):
    post = factories.make_post(factories.make_thread(), body_source="Not yours")
    response = client.post(f"/posts/{post.id}/edit", data={"body": "Hijacked"})
    assert response.status_code == 403
    db.session.refresh(post)
    assert post.body_source == "Not yours" and count(Revision) == 0


def test_author_deletes_softly_and_text_stays_for_moderators(client, member, login, db):
    thread = factories.make_thread()
    post = factories.make_post(thread, member, body_source="Regrettable words",
                               body_html="<p>Regrettable words</p>")
    assert client.post(f"/posts/{post.id}/delete").status_code == 302
    db.session.refresh(post)
    assert post.deleted_at is not None and post.body_source == "Regrettable words"
    client.post("/logout")
    page = client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    assert "Deleted by the author" in page and "Regrettable words" not in page
    login(factories.make_moderator())
    page = client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    assert "Regrettable words" in page


def test_deleting_another_members_post_is_refused(client, member, db):
    post = factories.make_post(factories.make_thread())
    assert client.post(f"/posts/{post.id}/delete").status_code == 403
    db.session.refresh(post)
    assert post.deleted_at is None


def test_hidden_post_shows_reason_to_others(client, db):
    thread = factories.make_thread()
    from forum.models.base import utcnow
    post = factories.make_post(thread, body_source="Rude words", body_html="<p>Rude words</p>",
                               hidden_at=utcnow(),
                               hidden_reason="Personal attack")
    page = client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    assert "Hidden by a moderator: Personal attack" in page and "Rude words" not in page
    assert post.id


def test_pending_post_visible_only_to_author_and_moderators(client, login, db):
    from forum.models.discussion import PostStatus
    thread = factories.make_thread()
    author = factories.make_user()
    factories.make_post(thread, author, body_source="Awaiting words",
                        body_html="<p>Awaiting words</p>", status=PostStatus.PENDING)
    assert "Awaiting words" not in client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    login(author)
    page = client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    assert "Awaiting words" in page and "Awaiting approval" in page
    client.post("/logout")
    login(factories.make_moderator())
    assert "Awaiting words" in client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)


def test_guest_cannot_reply(client, db):
    thread = factories.make_thread()
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Anon"})
    assert response.status_code in (302, 401, 403)
    assert count(Post, Post.thread_id == thread.id) == 1


def test_reply_in_locked_thread_is_refused(client, member, db):
    thread = factories.make_thread(locked=True)
    response = client.post(f"/threads/{thread.id}/reply", data={"body": "Let me in"})
    assert response.status_code == 403 and "locked" in response.get_data(as_text=True)
    assert count(Post, Post.thread_id == thread.id) == 1


def test_reply_form_refuses_parent_from_other_thread(client, member, db):
    thread, other = factories.make_thread(), factories.make_thread()
    foreign = db.session.scalars(other.posts.select()).first()
    assert client.get(f"/threads/{thread.id}/reply?to={foreign.id}").status_code == 400


def test_permalink_to_pending_post_is_not_found_for_others(client, db):
    from forum.models.discussion import PostStatus
    post = factories.make_post(factories.make_thread(), status=PostStatus.PENDING)
    assert client.get(f"/p/{post.id}").status_code == 404


def test_revisions_of_deleted_post_are_not_shown_to_others(client, member, db):
    post = factories.make_post(factories.make_thread(), member, body_source="v1")
    client.post(f"/posts/{post.id}/edit", data={"body": "v2"})
    client.post(f"/posts/{post.id}/delete")
    client.post("/logout")
    assert client.get(f"/posts/{post.id}/revisions").status_code == 403
