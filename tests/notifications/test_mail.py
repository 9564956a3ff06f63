"""Notices by email: at once (one email for what arrives within the window: fifty mentions
in a minute make one email), in a daily digest batching a day's notices, or not at all; in
the member's language, with a plain-text part, a signed one-click unsubscribe link and the
List-Unsubscribe headers; the link works, a changed one is refused, a used one changes
nothing more."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from forum.extensions import db
from forum.models.mail import EmailDelivery
from forum.models.notifications import MailStatus
from forum.services.discussion import posting
from forum.services.mail import preferences
from forum.services.notifications import following, mailing
from tests import factories
from tests.auth.mailbox import outbox
from tests.notifications.conftest import notices


def _to(app, member) -> list:
    return [m for m in outbox(app) if m["To"].addresses[0].addr_spec == member.email]


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_mention_is_emailed_once_the_window_has_passed(app, run_jobs, topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    post = posting.reply(karin, thread.id, "Vad tycker @Anna_Berg?")
    assert outbox(app) == []  # nothing is sent in the request
    run_jobs()
    (message,) = outbox(app)
    assert message["To"].addresses[0].addr_spec == anna.email
    assert message["Subject"] == f"Karin Lund mentioned you in “{thread.title}”"  # her language
    assert message["Content-Language"] == "en"
    text = _text(message)
    assert f"/p/{post.id}" in text and "/account/notifications" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in message["List-Unsubscribe"]
    assert message.get_body(("html",)) is not None
    assert [n.mail_status for n in notices(anna)] == [MailStatus.SENT]


def test_fifty_mentions_in_a_minute_make_one_email(app, run_jobs, topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    for n in range(50):
        posting.reply(karin, thread.id, f"Fråga {n} till @Anna_Berg")
    run_jobs(500)
    (message,) = outbox(app)
    assert message["Subject"] == "50 new notifications on Rådslag"
    assert f"50 mentions of you in “{thread.title}”" in _text(message)
    assert len(notices(anna, "mention")) == 50


def test_a_mention_after_the_email_gets_an_email_of_its_own(app, run_jobs, topic, anna, karin):
    thread = factories.make_thread(topic, author=karin)
    posting.reply(karin, thread.id, "Vad tycker @Anna_Berg?")
    run_jobs()
    posting.reply(karin, thread.id, "Och nu, @Anna_Berg?")  # a later transaction: a new job
    run_jobs()
    assert len(_to(app, anna)) == 2
    assert [n.mail_status for n in notices(anna)] == [MailStatus.SENT, MailStatus.SENT]


def test_a_member_emailed_in_swedish_reads_swedish(app, run_jobs, topic, anna, karin):
    thread = factories.make_thread(topic, author=anna)
    mine = posting.reply(karin, thread.id, "Mitt inlägg.")
    posting.reply(anna, thread.id, "Svar.", parent_id=mine.id)
    run_jobs()
    (message,) = outbox(app)
    assert message["Subject"] == f"Anna Berg svarade på ditt inlägg i ”{thread.title}”"
    assert message["Content-Language"] == "sv"


def test_kinds_turned_off_are_not_emailed(app, run_jobs, topic, anna, karin):
    preferences.set_delivery(anna, "mention", EmailDelivery.OFF)
    db.session.commit()
    thread = factories.make_thread(topic, author=karin)
    posting.reply(karin, thread.id, "Hej @Anna_Berg")
    run_jobs()
    assert outbox(app) == [] and len(notices(anna)) == 1  # still on the site


def test_unconfirmed_addresses_get_no_notices_by_email(app, run_jobs, topic, karin):
    newcomer = factories.make_user(display_name="Ny Person", confirmed=False)
    thread = factories.make_thread(topic, author=karin)
    posting.reply(karin, thread.id, "Välkommen @Ny_Person")
    run_jobs()
    assert outbox(app) == []
    assert [n.mail_status for n in notices(newcomer)] == [None]  # on the site only


def test_the_daily_digest_batches_a_days_notices_in_one_email(app, run_jobs, topic, anna):
    # "New posts in what I follow" default to the daily digest
    thread = factories.make_thread(topic, title="Hamnen")
    other = factories.make_thread(topic, title="Torget")
    following.follow(anna, "thread", thread.id)
    following.follow(anna, "thread", other.id)
    writers = [factories.make_user(display_name=f"Skribent {n}") for n in range(3)]
    for writer in writers:
        posting.reply(writer, thread.id, "Ett inlägg.")
    posting.reply(writers[0], other.id, "Ett till.")
    run_jobs()
    assert outbox(app) == []  # nothing at once
    assert {n.mail_status for n in notices(anna)} == {MailStatus.DIGEST}
    mailing.send_daily_digests()
    (message,) = _to(app, anna)  # (the writers follow the thread too, by default)
    assert message["Subject"] == "Your daily digest from Rådslag: 4 new"
    text = _text(message)
    assert "3 new posts in “Hamnen”" in text
    assert "Skribent 0 posted in “Torget”, which you follow" in text
    assert "/unsubscribe/" in message["List-Unsubscribe"]
    mailing.send_daily_digests()
    assert len(_to(app, anna)) == 1  # each notice once


def test_the_digest_leaves_out_what_was_read_on_the_site(app, topic, anna):
    thread = factories.make_thread(topic)
    following.follow(anna, "thread", thread.id)
    posting.reply(factories.make_user(), thread.id, "Läst redan.")
    from forum.services import notifications
    notifications.mark_all_read(anna)
    assert mailing.send_digest(anna.id) == 0
    assert outbox(app) == []


@pytest.fixture
def digest_link(app, topic, anna):
    thread = factories.make_thread(topic)
    following.follow(anna, "thread", thread.id)
    posting.reply(factories.make_user(), thread.id, "Nytt.")
    mailing.send_daily_digests()
    (message,) = outbox(app)
    return urlsplit(message["List-Unsubscribe"].strip("<>")).path


def test_the_digests_unsubscribe_link_stops_the_digest(client, digest_link, anna):
    assert client.post(digest_link).status_code == 200
    assert preferences.delivery_for(anna, "digest") is EmailDelivery.OFF


def test_a_used_unsubscribe_link_changes_nothing_more(client, digest_link, anna):
    assert client.post(digest_link).status_code == 200
    assert client.post(digest_link).status_code == 200
    assert preferences.delivery_for(anna, "digest") is EmailDelivery.OFF
    assert preferences.delivery_for(anna, "following") is EmailDelivery.DAILY


def test_a_changed_unsubscribe_link_is_refused(client, digest_link, anna):
    token = digest_link.rsplit("/", 1)[1]
    tampered = digest_link[: -len(token)] + token[:-2] + ("A" if token[-2] != "A" else "B") \
        + token[-1]
    assert client.post(tampered).status_code == 400
    assert preferences.delivery_for(anna, "digest") is EmailDelivery.IMMEDIATE


def test_no_digest_after_unsubscribing_from_it(app, client, digest_link, topic, anna):
    client.post(digest_link)
    thread = factories.make_thread(topic)
    following.follow(anna, "thread", thread.id)
    posting.reply(factories.make_user(), thread.id, "Mer.")
    mailing.send_daily_digests()
    assert len(outbox(app)) == 1  # only the first
