"""The low-level blocks other features build on: new_thread, append_post, note_published."""
from sqlalchemy import select

from forum.models.discussion import Capacity, Mention, Post, PostStatus, Thread, Topic
from forum.services.discussion import posting
from tests import factories


def test_new_thread_creates_opening_post_and_counts(db):
    topic, author = factories.make_topic(), factories.make_user()
    thread = posting.new_thread(topic, author, "  A title ", "Opening **words**")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Thread, thread.id)
    first = db.session.scalars(stored.posts.select()).one()
    assert stored.title == "A title" and first.position == 1
    assert first.body_html == "<p>Opening <strong>words</strong></p>\n"
    assert stored.post_count == 1 and stored.last_post_id == first.id
    assert db.session.get(Topic, topic.id).thread_count == 1
    assert db.session.get(Topic, topic.id).post_count == 1


def test_append_post_assigns_next_position_and_records_mentions(db):
    thread = factories.make_thread(posts=2)
    anna = factories.make_user(display_name="Anna Lindqvist")
    post = posting.append_post(thread, factories.make_user(), "Hello @Anna_Lindqvist")
    db.session.commit()
    assert post.position == 3
    assert f'href="/members/{anna.id}"' in post.body_html
    assert db.session.scalars(select(Mention.user_id).where(Mention.post_id == post.id)).all() \
        == [anna.id]


def test_pending_post_takes_no_position_and_is_not_counted_until_published(db):
    thread = factories.make_thread(posts=1)
    post = posting.append_post(thread, factories.make_user(), "Wait", status=PostStatus.PENDING)
    db.session.commit()
    db.session.refresh(thread)
    assert post.position is None and thread.last_position == 1 and thread.post_count == 1
    later = posting.append_post(thread, factories.make_user(), "Published meanwhile")
    posting.publish(post)
    db.session.commit()
    db.session.refresh(thread)
    assert (later.position, post.position) == (2, 3)  # the approved post comes at the end
    assert thread.post_count == 3 and thread.last_position == 3
    assert thread.last_post_id == later.id  # the latest by time, as the topic page shows it


def test_a_pending_opening_post_keeps_position_one(db):
    topic = factories.make_topic()
    thread = posting.new_thread(topic, factories.make_user(), "Held", "Opening words",
                                status=PostStatus.PENDING)
    db.session.commit()
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert opening.position == 1 and thread.post_count == 0


def test_role_capacity_snapshots_the_role_line(db):
    thread = factories.make_thread()
    author = factories.make_user(title="Deputy mayor", organisation="Helsingborg")
    post = posting.append_post(thread, author, "In role", capacity=Capacity.ROLE)
    db.session.commit()
    author.title = "Former deputy mayor"
    db.session.commit()
    db.session.refresh(post)
    assert post.capacity == Capacity.ROLE and post.capacity_label == "Deputy mayor, Helsingborg"


def test_mention_with_swedish_initial_is_linked(db):
    asa = factories.make_user(display_name="Åsa Öberg")
    post = posting.append_post(factories.make_thread(), factories.make_user(), "Tack @Åsa_Öberg!")
    db.session.commit()
    assert f'href="/members/{asa.id}"' in post.body_html
    assert db.session.scalars(select(Mention.user_id).where(Mention.post_id == post.id)).all() \
        == [asa.id]


def test_mention_inside_code_is_neither_linked_nor_recorded(db):
    factories.make_user(display_name="Per Holm")
    post = posting.append_post(factories.make_thread(), factories.make_user(), "`@Per_Holm`")
    db.session.commit()
    assert "/members/" not in post.body_html
    assert db.session.scalars(select(Mention.user_id).where(Mention.post_id == post.id)).all() == []
