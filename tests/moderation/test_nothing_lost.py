"""Hidden, rejected, merged and edited content stays in the database and can be restored."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.extensions import db
from forum.models.discussion import Post, PostStatus, Revision, Thread
from forum.services.discussion import posting
from forum.services.moderation import review, thread_actions
from tests import factories


def test_hidden_post_keeps_its_text_and_can_be_restored(client, login, moderator, post):
    original = post.body_source
    review.hide(moderator, "post", post.id, "Off topic")
    db.session.refresh(post)
    assert post.hidden_at is not None and post.body_source == original
    login(moderator)
    response = client.post(f"/moderation/post/{post.id}/restore", data={"reason": ""})
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.hidden_at is None and post.hidden_reason is None
    assert post.body_source == original


def test_hidden_thread_can_be_restored(moderator, thread):
    review.hide(moderator, "thread", thread.id, "Duplicate")
    assert db.session.get(Thread, thread.id).hidden_at is not None
    review.restore(moderator, "thread", thread.id)
    assert db.session.get(Thread, thread.id).hidden_at is None


def test_rejected_post_stays_and_can_be_approved(moderator, thread):
    pending = posting.append_post(thread, factories.make_user(), "Waiting",
                                     status=PostStatus.PENDING)
    db.session.commit()
    review.reject(moderator, pending.id, "Not about the topic")
    db.session.refresh(pending)
    assert pending.status == PostStatus.REJECTED and pending.body_source == "Waiting"
    review.approve(moderator, pending.id)
    db.session.refresh(pending)
    assert pending.status == PostStatus.PUBLISHED and pending.rejection_reason is None


def test_edited_out_text_can_be_put_back(moderator, post):
    original = post.body_source
    review.edit_out(moderator, post.id, "[removed]", "Address removed")
    revision = db.session.scalar(select(Revision).where(Revision.post_id == post.id))
    assert revision.body_source == original
    review.restore_revision(moderator, revision.id, "It was a public address")
    db.session.refresh(post)
    assert post.body_source == original
    # Both texts are still stored.
    kept = {r.body_source for r in db.session.scalars(select(Revision).where(
        Revision.post_id == post.id))}
    assert kept == {original, "[removed]"}


def test_merged_posts_stay_and_the_merge_can_be_undone(moderator, area, author):
    topic = factories.make_topic(area)
    target = factories.make_thread(topic, author, posts=2)
    source = factories.make_thread(topic, author, posts=2)
    moved = set(db.session.scalars(select(Post.id).where(Post.thread_id == source.id)))
    thread_actions.merge(moderator, source.id, target.id)
    assert db.session.scalar(select(func.count(Post.id))) == 4
    thread_actions.unmerge(moderator, source.id)
    back = set(db.session.scalars(select(Post.id).where(Post.thread_id == source.id)))
    assert back == moved
    assert db.session.get(Thread, source.id).merged_into_id is None
    assert [p for p in db.session.scalars(select(Post.position).where(
        Post.thread_id == target.id).order_by(Post.position))] == [1, 2]
