"""The public moderation log: what it shows, filters, and that it cannot be changed."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.extensions import db
from forum.models.moderation import ModerationAction
from forum.services.moderation import review, thread_actions
from tests import factories


def test_log_shows_moderator_action_reason_and_link(client, moderator, thread, post):
    review.hide(moderator, "post", post.id, "Personal attack")
    thread_actions.pin(moderator, thread.id, True, "Key thread")
    body = client.get("/moderation/log").get_data(as_text=True)
    assert moderator.display_name in body
    assert "Hid a post" in body and "Personal attack" in body
    assert "Pinned a thread" in body and f"/threads/{thread.id}" in body
    # The hidden post is no longer linked.
    assert f"/p/{post.id}" not in body


def test_log_filters_by_area_and_action(client, moderator, global_moderator, thread, other_area):
    thread_actions.lock(moderator, thread.id, True, "Locked here")
    elsewhere = factories.make_thread(factories.make_topic(other_area))
    thread_actions.pin(global_moderator, elsewhere.id, True, "Pinned there")
    by_area = client.get(f"/moderation/log?area={other_area.id}").get_data(as_text=True)
    assert "Pinned there" in by_area and "Locked here" not in by_area
    by_action = client.get("/moderation/log?action=lock_thread").get_data(as_text=True)
    assert "Locked here" in by_action and "Pinned there" not in by_action


def test_personal_data_edit_shows_that_an_edit_happened_never_the_data(client, moderator, post):
    post.body_source = "My neighbour lives at Storgatan 12"
    db.session.commit()
    review.edit_out(moderator, post.id, "My neighbour lives [address removed]",
                        "Address removed")
    body = client.get("/moderation/log").get_data(as_text=True)
    assert "Edited out personal data" in body and "Address removed" in body
    assert "Storgatan 12" not in body
    entry = db.session.scalar(select(ModerationAction))
    assert "Storgatan" not in str(entry.details) and "Storgatan" not in entry.reason


def test_removed_text_is_not_shown_to_members(client, login, moderator, post):
    post.body_source = "Ring 070-999 88 77"
    db.session.commit()
    review.edit_out(moderator, post.id, "Ring [removed]", "Phone number")
    login(factories.make_user())
    assert "070-999" not in client.get(f"/posts/{post.id}/revisions").get_data(as_text=True)
    assert "070-999" not in client.get(f"/moderation/posts/{post.id}/edit-out").get_data(
        as_text=True)


def test_log_entries_cannot_be_changed_through_the_app(app, client, login, moderator, post):
    review.hide(moderator, "post", post.id, "Spam")
    entry_id = db.session.scalar(select(ModerationAction.id))
    login(factories.make_admin())
    for method in ("put", "patch", "delete", "post"):
        response = getattr(client, method)(f"/moderation/log?entry={entry_id}",
                                           headers={"Accept": "application/json"})
        assert response.status_code == 405
    # No route anywhere offers to edit or delete an entry.
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("moderation.log"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}
    assert db.session.scalar(select(func.count(ModerationAction.id))) == 1
    assert db.session.get(ModerationAction, entry_id).reason == "Spam"


def test_log_is_public(client, moderator, thread):
    thread_actions.lock(moderator, thread.id, True, "Done")
    assert client.get("/moderation/log").status_code == 200


def test_member_reads_notifications_and_marks_them_read(client, login, moderator, post):
    from forum.models.moderation import Notification

    review.hide(moderator, "post", post.id, "Off topic here")
    login(post.author)
    assert client.get("/moderation/notifications").headers["Location"] == "/notifications"
    body = client.get("/notifications").get_data(as_text=True)
    assert "Off topic here" in body
    assert client.post("/notifications/read").status_code == 302
    assert db.session.scalar(select(Notification.read_at).where(
        Notification.user_id == post.author_id)) is not None
