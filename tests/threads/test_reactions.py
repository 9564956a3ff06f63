"""Reactions: one of each kind per member per post, toggled off explicitly, counts shown."""
from forum.models.discussion import Reaction, ReactionKind, TopicStatus
from tests import factories
from tests.threads.conftest import count


def test_reaction_is_stored_and_counted(client, member, db):
    post = factories.make_post(factories.make_thread())
    assert client.post(f"/posts/{post.id}/react", data={"kind": "agree"}).status_code == 302
    assert count(Reaction, Reaction.post_id == post.id, Reaction.kind == ReactionKind.AGREE) == 1
    page = client.get(f"/threads/{post.thread_id}?page=1").get_data(as_text=True)
    assert ('name="undo" class="reaction reaction--mine" aria-pressed="true" value="agree">Agree'
            ' <span class="reaction__count">1</span>') in page


def test_reacting_twice_is_refused(client, member, db):
    post = factories.make_post(factories.make_thread())
    client.post(f"/posts/{post.id}/react", data={"kind": "thanks"})
    response = client.post(f"/posts/{post.id}/react", data={"kind": "thanks"})
    assert response.status_code == 400
    assert "already reacted" in response.get_data(as_text=True)
    assert count(Reaction, Reaction.post_id == post.id) == 1


def test_different_kinds_from_one_member_are_allowed(client, member, db):
    post = factories.make_post(factories.make_thread())
    for kind in ("agree", "insightful", "thanks"):
        assert client.post(f"/posts/{post.id}/react", data={"kind": kind}).status_code == 302
    assert count(Reaction, Reaction.post_id == post.id) == 3


def test_reaction_toggles_off(client, member, db):
    post = factories.make_post(factories.make_thread())
    client.post(f"/posts/{post.id}/react", data={"kind": "insightful"})
    client.post(f"/posts/{post.id}/react", data={"undo": "insightful"})
    assert count(Reaction, Reaction.post_id == post.id) == 0


def test_unknown_reaction_is_refused(client, member, db):
    post = factories.make_post(factories.make_thread())
    assert client.post(f"/posts/{post.id}/react", data={"kind": "love"}).status_code == 400
    assert count(Reaction) == 0


def test_reacting_to_own_post_is_refused(client, member, db):
    post = factories.make_post(factories.make_thread(), member)
    assert client.post(f"/posts/{post.id}/react", data={"kind": "agree"}).status_code == 403
    assert count(Reaction) == 0


def test_reacting_in_archived_topic_is_refused(client, member, db):
    thread = factories.make_thread(factories.make_topic(status=TopicStatus.ARCHIVED))
    post = factories.make_post(thread)
    assert client.post(f"/posts/{post.id}/react", data={"kind": "agree"}).status_code == 403
    assert count(Reaction) == 0


def test_guest_sees_counts_but_no_buttons(client, db):
    post = factories.make_post(factories.make_thread())
    db.session.add(Reaction(post_id=post.id, user_id=factories.make_user().id,
                            kind=ReactionKind.AGREE))
    db.session.commit()
    page = client.get(f"/threads/{post.thread_id}?page=1").get_data(as_text=True)
    assert 'reaction reaction--static">Agree <span class="reaction__count">1</span>' in page
    assert f'action="/posts/{post.id}/react"' not in page
