"""The bell, the notifications page (grouping, mark read, mark all read, opening a notice),
following and unfollowing with plain forms, the "what I follow" list and the settings page."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models.live import Visibility
from forum.models.mail import EmailDelivery
from forum.models.notifications import FollowTarget
from forum.services import notifications
from forum.services.discussion import posting
from forum.services.mail import preferences
from forum.services.notifications import following
from tests import factories
from tests.live.conftest import make_live_session
from tests.notifications.conftest import notices


@pytest.fixture
def signed_in(login, anna, english):
    return login(anna)


def _replies(thread, count: int) -> list:
    return [posting.reply(factories.make_user(display_name=f"Writer {n}"), thread.id, "Hej")
            for n in range(count)]


def test_the_bell_shows_the_unread_count(client, signed_in, topic):
    thread = factories.make_thread(topic)
    following.follow(signed_in, "thread", thread.id)
    _replies(thread, 2)
    page = client.get("/").get_data(as_text=True)
    assert 'data-bell-number>2</span>' in page and "js/notifications.js" in page


def test_many_notices_of_one_thread_are_one_line(client, signed_in, topic):
    thread = factories.make_thread(topic, title="Hamnen")
    following.follow(signed_in, "thread", thread.id)
    posts = _replies(thread, 5)
    page = client.get("/notifications").get_data(as_text=True)
    assert "5 new posts in “Hamnen”" in page
    assert page.count('class="notice-item notice-item--unread"') == 1
    first = notices(signed_in)[0]
    assert f'/notifications/{first.id}/open' in page  # the group opens at the oldest
    assert client.get(f"/notifications/{first.id}/open").headers["Location"] == \
        f"/p/{posts[0].id}"
    assert notifications.unread_count(signed_in) == 4


def test_mark_read_one_group_and_all(client, signed_in, topic):
    thread = factories.make_thread(topic)
    following.follow(signed_in, "thread", thread.id)
    _replies(thread, 3)
    a, b, c = notices(signed_in)
    assert client.post(f"/notifications/{a.id}/read").status_code == 302
    assert notifications.unread_count(signed_in) == 2
    client.post("/notifications/read", data={"ids": [b.id]})
    assert notifications.unread_count(signed_in) == 1
    client.post("/notifications/read")
    assert notifications.unread_count(signed_in) == 0


def test_another_members_notice_cannot_be_read_or_opened(client, signed_in, karin):
    theirs = notifications.notify(karin.id, "suspension_lifted")
    db.session.commit()
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.get(f"/notifications/{theirs.id}/open").status_code == 404
    assert client.post("/notifications/read", data={"ids": [theirs.id]}).status_code == 404
    assert notifications.unread_count(karin) == 1


def test_guests_are_sent_to_sign_in(client):
    assert client.get("/notifications").status_code == 302
    assert client.post("/follow/thread/1").status_code == 302


def test_follow_and_unfollow_with_plain_forms(client, signed_in, topic):
    thread = factories.make_thread(topic, title="Cykelbanor")
    page = client.get(f"/threads/{thread.id}", follow_redirects=True).get_data(as_text=True)
    assert f'action="/follow/thread/{thread.id}"' in page
    response = client.post(f"/follow/thread/{thread.id}", data={"next": f"/threads/{thread.id}"})
    assert response.headers["Location"] == f"/threads/{thread.id}"
    assert following.is_following(signed_in, FollowTarget.THREAD, thread.id)
    page = client.get(f"/threads/{thread.id}", follow_redirects=True).get_data(as_text=True)
    assert f'action="/unfollow/thread/{thread.id}"' in page and 'aria-pressed="true"' in page
    listing = client.get("/account/following").get_data(as_text=True)
    assert "Cykelbanor" in listing
    client.post(f"/unfollow/thread/{thread.id}")
    assert not following.is_following(signed_in, FollowTarget.THREAD, thread.id)
    assert "Cykelbanor" not in client.get("/account/following").get_data(as_text=True)


def test_areas_topics_and_sessions_can_be_followed(client, signed_in, topic):
    session = make_live_session(topic=topic)
    for kind, target_id in (("area", topic.focus_area_id), ("topic", topic.id),
                            ("session", session.id)):
        assert client.post(f"/follow/{kind}/{target_id}").status_code == 302
        assert following.is_following(signed_in, FollowTarget(kind), target_id)
    assert 'action="/unfollow/topic/' in client.get(f"/topics/{topic.id}").get_data(as_text=True)


def test_what_may_not_be_seen_cannot_be_followed(client, signed_in, topic):
    secret = make_live_session(topic=topic, visibility=Visibility.INVITE_ONLY)
    assert client.post(f"/follow/session/{secret.id}").status_code == 404
    assert client.post("/follow/thread/999999").status_code == 404
    assert client.post("/follow/member/1").status_code == 404
    assert following.followed_by(signed_in, "en") == []


def test_a_forged_follow_without_the_form_token_is_refused(app, client, signed_in, topic):
    app.config["WTF_CSRF_ENABLED"] = True
    thread = factories.make_thread(topic)
    client.post(f"/follow/thread/{thread.id}")
    assert not following.is_following(signed_in, FollowTarget.THREAD, thread.id)


def test_the_settings_page_saves_email_choices_and_the_default(client, signed_in):
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Quotes of my posts" in page and "Daily digest" in page
    choices = {f"mail_{k}": "immediate" for k in
               ("reply", "mention", "quote", "following", "moderation", "sessions",
                "deliberation")}
    choices["mail_mention"] = "daily"
    assert client.post("/account/notifications", data=choices).status_code == 302
    assert preferences.delivery_for(signed_in, "mention") is EmailDelivery.DAILY
    assert preferences.delivery_for(signed_in, "following") is EmailDelivery.IMMEDIATE
    assert following.auto_follows(signed_in.id) is False  # the box was not ticked


def test_bad_settings_are_refused_and_nothing_changes(client, signed_in):
    response = client.post("/account/notifications", data={"mail_reply": "weekly"})
    assert response.status_code == 400
    assert preferences.delivery_for(signed_in, "reply") is EmailDelivery.IMMEDIATE
    assert following.auto_follows(signed_in.id) is True
