"""The demo discussion: topics in every area, nested replies, reactions, an edited post."""
from sqlalchemy import func, select

from forum.models.discussion import FocusArea, Post, Reaction, Revision, Topic
from forum.services import seeding
from forum.services.demo import discussion as demo_discussion
from forum.services.demo import people


def test_demo_discussion_is_alive(client, db):
    seeding.ensure_focus_areas()
    message = demo_discussion.add(people.ensure_people())
    assert "Demo discussion" in message
    areas_with_topics = db.session.scalar(select(func.count(func.distinct(Topic.focus_area_id))))
    assert areas_with_topics == db.session.scalar(select(func.count(FocusArea.id))) == 3
    assert db.session.scalar(select(func.max(Post.depth))) >= 3
    assert db.session.scalar(select(func.count(Reaction.id))) > 5
    assert db.session.scalar(select(func.count(Revision.id))) == 1
    assert {p.capacity.value for p in db.session.scalars(select(Post))} == {"personal", "role"}
    page = client.get("/").get_data(as_text=True)
    assert "Who should lead the harbour redevelopment?" in page
    edited = db.session.scalars(select(Post).where(Post.edit_count == 1)).one()
    thread_page = client.get(f"/threads/{edited.thread_id}?page=1").get_data(as_text=True)
    assert "post--level-2" in thread_page and "edited" in thread_page
