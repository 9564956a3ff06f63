"""Flags, automatic hiding, the review queue and its decisions."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.exceptions import Conflict, Forbidden, InvalidInput
from forum.extensions import db
from forum.models.discussion import Revision
from forum.models.moderation import Flag, ModerationAction, Notification
from forum.services import notifications
from forum.services.moderation import review
from tests import factories


def test_member_flags_a_post_through_the_page(client, login, post):
    member = login(factories.make_user())
    response = client.post(f"/moderation/flag/post/{post.id}",
                           data={"reason": "abusive", "text": ""})
    assert response.status_code == 302
    stored = db.session.scalar(select(Flag).where(Flag.reporter_id == member.id))
    assert stored.target_type == "post" and stored.target_id == post.id
    assert stored.reason == "abusive" and stored.resolved_at is None


def test_flagging_twice_is_refused(post):
    member = factories.make_user()
    review.flag(member, "post", post.id, "spam")
    with pytest.raises(Conflict):
        review.flag(member, "post", post.id, "abusive")
    assert db.session.scalar(select(db.func.count(Flag.id))) == 1


def test_other_reason_needs_a_text(client, login, post):
    login(factories.make_user())
    response = client.post(f"/moderation/flag/post/{post.id}", data={"reason": "other"})
    assert response.status_code == 400
    assert "say what is wrong" in response.get_data(as_text=True)
    assert db.session.scalar(select(Flag.id)) is None


def test_anonymous_cannot_flag(client, post):
    response = client.post(f"/moderation/flag/post/{post.id}", data={"reason": "spam"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(Flag.id)) is None


def test_author_cannot_flag_own_post(post, author):
    with pytest.raises(Forbidden):
        review.flag(author, "post", post.id, "spam")


def test_member_can_flag_a_thread(thread):
    item = review.flag(factories.make_user(), "thread", thread.id, "off_topic")
    assert item.thread_id == thread.id and item.post_id is None


def test_post_is_hidden_after_flags_from_enough_members(app, post):
    app.config["FLAG_AUTO_HIDE_COUNT"] = 2
    review.flag(factories.make_user(), "post", post.id, "spam")
    assert post.hidden_at is None
    review.flag(factories.make_user(), "post", post.id, "abusive")
    db.session.refresh(post)
    assert post.hidden_at is not None and post.hidden_by_id is None
    entry = db.session.scalar(select(ModerationAction).where(
        ModerationAction.action == "auto_hide_post"))
    assert entry.target_id == post.id and entry.moderator_id is None


def test_queue_lists_items_newest_first_with_all_flags(moderator, thread, post):
    review.flag(factories.make_user(), "post", post.id, "spam")
    review.flag(factories.make_user(), "thread", thread.id, "off_topic")
    review.flag(factories.make_user(), "post", post.id, "abusive")
    items = review.queue(moderator)
    assert [(i.target_type, i.target.id) for i in items] == [("post", post.id),
                                                              ("thread", thread.id)]
    assert len(items[0].flags) == 2


def test_queue_filters_by_reason_and_area(moderator, global_moderator, thread, post, other_area):
    review.flag(factories.make_user(), "post", post.id, "spam")
    elsewhere = factories.make_thread(factories.make_topic(other_area), posts=1)
    review.flag(factories.make_user(), "thread", elsewhere.id, "abusive")
    assert [i.target.id for i in review.queue(global_moderator, reason="abusive")] == [
        elsewhere.id]
    assert [i.target.id for i in review.queue(global_moderator,
                                                  focus_area_id=other_area.id)] == [elsewhere.id]
    # The scoped moderator sees only their own area.
    assert [i.target.id for i in review.queue(moderator)] == [post.id]


def test_queue_page_shows_flagged_items_to_moderators(client, login, moderator, post):
    review.flag(factories.make_user(), "post", post.id, "misinformation")
    login(moderator)
    response = client.get("/moderation/queue?reason=misinformation")
    assert response.status_code == 200
    assert post.thread.title in response.get_data(as_text=True)


def test_queue_is_refused_to_members(client, login):
    login(factories.make_user())
    assert client.get("/moderation/queue").status_code == 403


def test_hide_decision_resolves_flags_and_notifies(client, login, moderator, post):
    flagger = factories.make_user()
    review.flag(flagger, "post", post.id, "abusive")
    login(moderator)
    response = client.post(f"/moderation/queue/post/{post.id}",
                           data={"decision": "hide", "reason": "Personal attack"})
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.hidden_reason == "Personal attack" and post.hidden_by_id == moderator.id
    flag = db.session.scalar(select(Flag))
    assert flag.resolved_at is not None and flag.resolution == "hide"
    told = {n.user_id for n in db.session.scalars(select(Notification))}
    assert {flagger.id, post.author_id} <= told


def test_dismiss_lifts_an_automatic_hide(app, moderator, post):
    app.config["FLAG_AUTO_HIDE_COUNT"] = 1
    review.flag(factories.make_user(), "post", post.id, "spam")
    review.decide(moderator, "post", post.id, "dismiss", "")
    db.session.refresh(post)
    assert post.hidden_at is None
    assert review.open_flags("post", post.id) == []


def test_edit_out_keeps_a_moderator_only_revision(moderator, post):
    post.body_source = "Call me on 070-123 45 67"
    db.session.commit()
    review.flag(factories.make_user(), "post", post.id, "personal_data")
    review.decide(moderator, "post", post.id, "edit_out", "Phone number removed",
                      new_body="Call me [number removed]")
    db.session.refresh(post)
    assert post.body_source == "Call me [number removed]"
    revision = db.session.scalar(select(Revision).where(Revision.post_id == post.id))
    assert revision.moderator_only and "070-123" in revision.body_source


def test_warn_decision_notifies_the_author(moderator, post):
    review.flag(factories.make_user(), "post", post.id, "abusive")
    review.decide(moderator, "post", post.id, "warn", "Keep it civil")
    entry = db.session.scalar(select(ModerationAction).where(
        ModerationAction.action == "warn_member"))
    assert entry.subject_user_id == post.author_id
    note = db.session.scalar(select(Notification).where(Notification.kind == "warning"))
    assert note.user_id == post.author_id and note.params["reason"] == "Keep it civil"
    assert "Keep it civil" in notifications.worded(note, "en").text


def test_decision_needs_a_reason(moderator, post):
    with pytest.raises(InvalidInput):
        review.decide(moderator, "post", post.id, "hide", "  ")
    assert post.hidden_at is None


def test_dismissing_an_item_without_flags_is_refused_on_the_form(client, login, moderator, post):
    login(moderator)
    response = client.post(f"/moderation/queue/post/{post.id}",
                           data={"decision": "dismiss", "reason": ""})
    assert response.status_code == 400
    assert "no open flags" in response.get_data(as_text=True)
    assert db.session.scalar(select(ModerationAction.id)) is None


def _flag_links(client, thread) -> set[int]:
    """Ids of the posts a thread page offers to flag."""
    html = client.get(f"/threads/{thread.id}?page=1").get_data(as_text=True)
    return {int(i) for i in re.findall(r'href="/moderation/flag/post/(\d+)', html)}


def test_the_flag_link_disappears_once_the_member_has_flagged(client, login, thread, post):
    member, other = factories.make_user(verified=True), factories.make_user(verified=True)
    login(member)
    offered = _flag_links(client, thread)
    assert post.id in offered
    review.flag(member, "post", post.id, "spam")
    assert _flag_links(client, thread) == offered - {post.id}  # cached HTML is not reused
    assert "You have flagged this post" in client.get(
        f"/threads/{thread.id}?page=1").get_data(as_text=True)
    client.post("/logout")
    login(other)
    assert _flag_links(client, thread) == offered


def test_knowing_what_the_member_flagged_costs_no_query_per_post(client, login, thread):
    from tests.threads.test_query_count import queries_for

    posts = [factories.make_post(thread, factories.make_user()) for _ in range(6)]
    member = factories.make_user(verified=True)
    login(member)
    url = f"/threads/{thread.id}?page=1"
    queries_for(client, db, url)  # the read mark is written once
    before = queries_for(client, db, url)
    for post in posts:
        review.flag(member, "post", post.id, "spam")
    assert queries_for(client, db, url) == before
    assert not _flag_links(client, thread) & {p.id for p in posts}
