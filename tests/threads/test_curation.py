"""Topic curation: moderators create, edit, pin, feature, close and archive topics."""
import pytest

from forum.models.discussion import Topic, TopicStatus
from forum.models.moderation import ModerationAction
from tests import factories
from tests.threads.conftest import count


@pytest.fixture
def moderator(login):
    return login(factories.make_moderator(verified=True))


def test_moderator_creates_topic_with_tags(client, moderator, db):
    area = factories.focus_area()
    response = client.post(f"/areas/{area.slug}/topics/new", data={
        "title": "Who owns the harbour?", "framing": "Some **context**", "tags": "Harbour, land"})
    assert response.status_code == 302
    topic = db.session.scalars(db.select(Topic)).one()
    assert topic.framing_html == "<p>Some <strong>context</strong></p>\n"
    assert [t.name for t in topic.tags] == ["harbour", "land"]
    assert topic.created_by_id == moderator.id


def test_member_cannot_create_topic(client, member, db):
    area = factories.focus_area()
    response = client.post(f"/areas/{area.slug}/topics/new", data={"title": "Mine", "framing": ""})
    assert response.status_code == 403
    assert count(Topic) == 0


def test_bad_tag_is_refused(client, moderator, db):
    area = factories.focus_area()
    response = client.post(f"/areas/{area.slug}/topics/new", data={
        "title": "Q", "framing": "", "tags": "<script>"})
    assert response.status_code == 400
    assert count(Topic) == 0


def test_moderator_edits_topic(client, moderator, db):
    topic = factories.make_topic()
    client.post(f"/topics/{topic.id}/edit", data={"title": "New title", "framing": "F", "tags": ""})
    db.session.refresh(topic)
    assert topic.title == "New title" and topic.framing_html == "<p>F</p>\n"


@pytest.mark.parametrize("endpoint,attribute", [("pin", "pinned"), ("feature", "featured")])
def test_moderator_pins_and_features(client, moderator, db, endpoint, attribute):
    topic = factories.make_topic()
    client.post(f"/topics/{topic.id}/{endpoint}", data={"value": "1"})
    db.session.refresh(topic)
    assert getattr(topic, attribute) is True
    client.post(f"/topics/{topic.id}/{endpoint}", data={"value": "0"})
    db.session.refresh(topic)
    assert getattr(topic, attribute) is False


@pytest.mark.parametrize("status", ["closed", "archived", "open"])
def test_moderator_changes_status_and_it_is_logged(client, moderator, db, status):
    topic = factories.make_topic(status=TopicStatus.CLOSED if status == "open" else TopicStatus.OPEN)
    assert client.post(f"/topics/{topic.id}/status", data={"value": status}).status_code == 302
    db.session.refresh(topic)
    assert topic.status == TopicStatus(status)
    assert count(ModerationAction, ModerationAction.action == "topic_status") == 1


def test_member_cannot_close_topic(client, member, db):
    topic = factories.make_topic()
    assert client.post(f"/topics/{topic.id}/status", data={"value": "closed"}).status_code == 403
    db.session.refresh(topic)
    assert topic.status == TopicStatus.OPEN


def test_scoped_moderator_cannot_curate_other_area(client, login, db):
    from forum.models.accounts import ModeratorScope
    mod = factories.make_moderator()
    db.session.add(ModeratorScope(user_id=mod.id, focus_area_id=factories.focus_area("quality-of-life").id))
    db.session.commit()
    login(mod)
    topic = factories.make_topic(factories.focus_area("city-governance"))
    assert client.post(f"/topics/{topic.id}/pin", data={"value": "1"}).status_code == 403
    db.session.refresh(topic)
    assert topic.pinned is False
