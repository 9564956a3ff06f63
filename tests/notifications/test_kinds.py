"""Every kind of notice a post causes, who gets it and who does not: never the actor, never
about content the member may not see, one notice per member per post by the closest reason.
Notices are stored as a kind with parameters and worded in the reader's language."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models.discussion import PostStatus
from forum.services import notifications
from forum.services.discussion import posting
from forum.services.moderation import review
from forum.services.notifications import following, kinds
from tests import factories
from tests.notifications.conftest import notices


def test_a_reply_to_my_post_tells_me_in_my_language(topic, anna, karin):
    thread = posting.start_thread(anna, topic.id, "Bilfria torg", "Ska torget vara bilfritt?")
    opening = thread.posts.select().limit(1)
    opening_id = db.session.scalars(opening).one().id
    reply = posting.reply(karin, thread.id, "Ja, på lördagar.", parent_id=opening_id)
    (note,) = notices(anna, "reply")
    assert note.params == {"actor": "Karin Lund", "title": "Bilfria torg", "post_id": reply.id,
                           "thread_id": thread.id}
    assert note.actor_id == karin.id and note.post_id == reply.id
    assert notifications.worded(note, "en").text == \
        "Karin Lund replied to your post in “Bilfria torg”"
    assert notifications.worded(note, "sv").text == \
        "Karin Lund svarade på ditt inlägg i ”Bilfria torg”"
    assert notifications.worded(note, "en").link == f"/p/{reply.id}"
    assert notices(karin) == []  # the replier hears nothing of her own reply


def test_an_at_mention_tells_the_member_named(topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    posting.reply(karin, thread.id, "Vad tycker @Anna_Berg?")
    (note,) = notices(anna, "mention")
    assert "mentioned you" in notifications.worded(note, "en").text


def test_mentioning_myself_tells_no_one(topic, anna):
    thread = factories.make_thread(topic, author=anna)
    posting.reply(anna, thread.id, "Note to self, @Anna_Berg.")
    assert notices(anna) == []


def test_a_quote_of_my_post_tells_me(topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    mine = posting.reply(anna, thread.id, "Parkeringen ska flyttas.")
    quoted = f"> **Anna Berg** [wrote](/p/{mine.id}):\n>\n> Parkeringen ska flyttas.\n\nHåller med."
    posting.reply(karin, thread.id, quoted)
    (note,) = notices(anna, "quote")
    assert "quoted your post" in notifications.worded(note, "en").text


def test_a_post_that_replies_to_mentions_and_quotes_me_tells_me_once(topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    mine = posting.reply(anna, thread.id, "Min åsikt.")
    body = f"> **Anna Berg** [wrote](/p/{mine.id}):\n>\n> Min åsikt.\n\n@Anna_Berg, nej."
    posting.reply(karin, thread.id, body, parent_id=mine.id)
    assert [n.kind for n in notices(anna)] == ["reply"]


def test_a_new_post_in_a_thread_i_follow_tells_me(topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    following.follow(anna, "thread", thread.id)
    post = posting.reply(karin, thread.id, "Nytt förslag.")
    (note,) = notices(anna, "new_post")
    assert note.thread_id == thread.id and note.post_id == post.id
    assert "which you follow" in notifications.worded(note, "en").text


def test_authors_and_repliers_follow_their_threads_by_default(topic, anna, karin):
    thread = posting.start_thread(anna, topic.id, "Cykelbanor", "Fler cykelbanor?")
    posting.reply(karin, thread.id, "Ja.")
    posting.reply(anna, thread.id, "Bra.")
    assert [n.kind for n in notices(anna)] == ["new_post"]  # Karin's reply
    assert [n.kind for n in notices(karin)] == ["new_post"]  # Anna's answer


def test_a_member_may_turn_the_default_off(topic, anna, karin):
    following.set_auto_follow(karin, False)
    db.session.commit()
    thread = posting.start_thread(anna, topic.id, "Cykelbanor", "Fler cykelbanor?")
    posting.reply(karin, thread.id, "Ja.")
    posting.reply(anna, thread.id, "Bra.")
    assert notices(karin) == []


def test_unfollowing_is_remembered_when_replying_again(topic, anna, karin):
    thread = factories.make_thread(topic, author=anna)
    posting.reply(karin, thread.id, "Ett.")
    following.unfollow(karin, "thread", thread.id)
    posting.reply(karin, thread.id, "Två.")
    posting.reply(anna, thread.id, "Tre.")
    assert notices(karin) == []


def test_a_new_thread_in_a_topic_or_area_i_follow_tells_me(topic, anna, karin):
    following.follow(anna, "topic", topic.id)
    reader = factories.make_user()
    following.follow(reader, "area", topic.focus_area_id)
    thread = posting.start_thread(karin, topic.id, "Torghandel", "Mer torghandel.")
    for member in (anna, reader):
        (note,) = notices(member, "new_thread")
        assert note.params["where"] == "Parkering i centrum"
        assert notifications.worded(note, "en").link == f"/threads/{thread.id}"


def test_a_post_awaiting_approval_tells_no_one_until_it_is_published(app, topic, anna):
    app.config["PREMODERATION_POSTS"] = 2
    newcomer = factories.make_user()  # unverified: pre-moderated
    thread = factories.make_thread(topic, author=anna)
    following.follow(anna, "thread", thread.id)
    post = posting.reply(newcomer, thread.id, "Hej @Anna_Berg")
    assert post.status == PostStatus.PENDING
    assert notices(anna) == []
    review.approve(factories.make_moderator(), post.id)
    assert [n.kind for n in notices(anna)] == ["mention"]


def test_a_notice_about_a_post_hidden_later_is_no_longer_shown_or_counted(topic, anna, karin):
    thread = factories.make_thread(topic, author=anna)
    following.follow(anna, "thread", thread.id)
    post = posting.reply(karin, thread.id, "Något olämpligt.")
    assert notifications.unread_count(anna) == 1
    review.hide(factories.make_moderator(), "post", post.id, "Off topic")
    assert notifications.unread_count(anna) == 0 and notifications.latest_for(anna) == []


def test_posts_in_a_hidden_thread_tell_no_one(topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    following.follow(anna, "thread", thread.id)
    review.hide(factories.make_moderator(), "thread", thread.id, "Spam")
    posting.append_post(thread, karin, "Still here @Anna_Berg")
    db.session.commit()
    assert notices(anna) == []


def test_an_edit_that_adds_a_mention_tells_the_new_member_once(topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    post = posting.reply(karin, thread.id, "Första versionen.")
    posting.edit_post(karin, post.id, "Andra versionen, @Anna_Berg.")
    posting.edit_post(karin, post.id, "Tredje versionen, @Anna_Berg!")
    assert [n.kind for n in notices(anna)] == ["mention"]


def test_moderation_decisions_on_my_content_and_my_flag_tell_me(topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    post = posting.reply(anna, thread.id, "Text.")
    review.flag(karin, "post", post.id, "spam")
    moderator = factories.make_moderator()
    review.decide(moderator, "post", post.id, "hide", "Reklam")
    (hidden,) = notices(anna, "content_hidden")
    assert notifications.worded(hidden, "en").text == "A moderator hid your post: Reklam"
    assert notifications.worded(hidden, "sv").text.startswith("En moderator har dolt")
    assert notifications.worded(hidden, "en").link.startswith("/moderation/")
    (flagged,) = notices(karin, "flag_reviewed")
    assert "reviewed the item you flagged" in notifications.worded(flagged, "en").text


def test_a_notice_from_before_kinds_had_parameters_reads_as_it_was_written(anna):
    note = notifications.notify(anna.id, "suspension_lifted")
    note.kind, note.params = "moderation", {"legacy": "En moderator återställde ditt inlägg."}
    db.session.commit()
    assert notifications.worded(note, "en").text == "En moderator återställde ditt inlägg."


SAMPLE = {"actor": "Anna", "title": "T", "where": "W", "post_id": 1, "thread_id": 1,
          "reason": "R", "what": "post", "action_id": 1, "overturned": False, "text": "X",
          "proposal_id": 1, "commitment_id": 1, "day": "2026-12-24", "session_id": 1}


@pytest.mark.parametrize("name", sorted(kinds.KINDS))
def test_every_kind_reads_in_swedish_and_english(app, name):
    from forum.models.notifications import Notification

    note = Notification(kind=name, params=SAMPLE, user_id=1)
    english, swedish = (notifications.worded(note, lang).text for lang in ("en", "sv"))
    assert english and swedish and english != swedish
    assert english != "You have a notice."


def test_no_notice_to_the_actor_themself(anna):
    assert notifications.notify(anna.id, "warning", {"reason": "x"}, actor_id=anna.id) is None
    db.session.commit()
    assert notices(anna) == []
