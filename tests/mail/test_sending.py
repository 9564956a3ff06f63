"""Email goes out as jobs: to a real SMTP server (and through a real worker), or to the
outbox folder; in the member's language, with a text and an HTML part, and with the
unsubscribe headers for kinds a member can turn off."""
from __future__ import annotations

import email
from email.policy import default
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from forum.models.jobs import FailedJob
from forum.models.mail import EmailDelivery, EmailPreference
from forum.services import mail
from forum.services.mail import preferences
from forum.services.mail.transport import parse_smtp_url
from tests import factories
from tests.jobs.workers import Worker, wait_until, worker_env
from tests.mail.smtp import PASSWORD, USER, SmtpServer

KIND = "test-notices"


@pytest.fixture(autouse=True, scope="module")
def _kind():
    preferences.register_kind(KIND, "test notices")
    yield
    preferences.KINDS.pop(KIND)


def _outbox(app) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    return [email.message_from_bytes(p.read_bytes(), policy=default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def _parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_without_smtp_a_member_email_is_an_eml_file_in_their_language(app, db, run_jobs):
    member = factories.make_user(language="sv", display_name="Åsa Öberg")
    mail.send_to_member(member, "test_message")
    assert _outbox(app) == []  # queued, not sent in the caller
    assert run_jobs() == 1
    [message] = _outbox(app)
    assert message["Subject"] == "Ett testmeddelande från Rådslag"
    assert message["To"].addresses[0].display_name == "Åsa Öberg"
    assert message["To"].addresses[0].addr_spec == member.email
    assert message["Content-Language"] == "sv" and message["Message-ID"]
    assert message.get_content_type() == "multipart/alternative"
    text, html = _parts(message)
    assert "Hej Åsa Öberg," in text and '<html lang="sv">' in html and "Hej Åsa Öberg," in html
    assert "List-Unsubscribe" not in message and "mejlinställningar" not in text
    [path] = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    assert "Hej Åsa Öberg," in path.read_text(encoding="utf-8")  # readable in an editor


def test_an_english_member_gets_english(app, db, run_jobs):
    mail.send_to_member(factories.make_user(language="en"), "test_message")
    run_jobs()
    [message] = _outbox(app)
    assert message["Subject"] == "A test message from Rådslag"
    assert '<html lang="en">' in _parts(message)[1]


def test_an_email_of_a_kind_carries_one_click_unsubscribe(app, db, client, run_jobs):
    member = factories.make_user(language="en")
    mail.send_to_member(member, "test_message", unsubscribe_kind=KIND)
    run_jobs()
    [message] = _outbox(app)
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://127.0.0.1:5000/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = _parts(message)
    assert url in text and f'href="{url}"' in html
    response = client.post(urlsplit(url).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert preferences.delivery_for(member, KIND) is EmailDelivery.OFF


def test_a_kind_the_member_turned_off_is_not_sent(app, db, run_jobs):
    member = factories.make_user()
    mail.send_to_member(member, "test_message", unsubscribe_kind=KIND)
    preferences.set_delivery(member, KIND, EmailDelivery.OFF)  # after queueing, before sending
    db.session.commit()
    run_jobs()
    assert _outbox(app) == []


def test_an_erased_member_gets_nothing(app, db, run_jobs):
    member = factories.make_user()
    mail.send_to_member(member, "test_message")
    member.erased_at = member.created_at
    db.session.commit()
    run_jobs()
    assert _outbox(app) == []


def test_a_transactional_email_to_an_address_has_no_unsubscribe(app, db, run_jobs):
    mail.send_to_address("someone@example.org", "test_message", language="sv")
    run_jobs()
    [message] = _outbox(app)
    assert message["To"] == "someone@example.org" and "List-Unsubscribe" not in message
    assert "Hej," in _parts(message)[0]


def test_unknown_kinds_and_languages_are_refused_at_once(app, db):
    with pytest.raises(ValueError, match="unknown email kind"):
        mail.send_to_member(factories.make_user(), "test_message", unsubscribe_kind="nope")
    with pytest.raises(ValueError, match="language"):
        mail.send_to_address("a@example.org", "test_message", language="de")


def test_the_cli_queues_a_test_message(app, db, runner, run_jobs):
    result = runner.invoke(args=["forum", "send-test-mail", "ops@example.org", "--language",
                                 "en"])
    assert result.exit_code == 0, result.output
    run_jobs()
    assert [m["To"] for m in _outbox(app)] == ["ops@example.org"]


def test_a_real_worker_sends_through_a_real_smtp_server(app, db, client, database_url,
                                                       jobs_path):
    member = factories.make_user(language="sv", display_name="Karin Nilsson")
    mail.send_to_member(member, "test_message", unsubscribe_kind=KIND, extra="kept")
    with SmtpServer() as server:
        worker = Worker(worker_env(database_url, jobs_path, FORUM_SMTP_URL=server.url,
                                   FORUM_MAIL_FROM="Rådslag <forum@example.org>",
                                   FORUM_BASE_URL="https://radslag.example.se"))
        try:
            wait_until(lambda: server.inbox.messages, what="the email to arrive")
        finally:
            worker.stop()
    [message] = server.inbox.messages
    assert server.inbox.envelopes == [("forum@example.org", [member.email])]
    assert server.inbox.logged_in == [True]
    assert message["From"] == "Rådslag <forum@example.org>"
    assert message["Subject"] == "Ett testmeddelande från Rådslag"
    assert message["Content-Language"] == "sv"
    text, html = _parts(message)
    assert "Hej Karin Nilsson," in text and '<html lang="sv">' in html
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://radslag.example.se/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.get(urlsplit(url).path).status_code == 200
    assert preferences.delivery_for(member, KIND) is EmailDelivery.IMMEDIATE  # GET only asks
    assert client.post(urlsplit(url).path).status_code == 200
    assert preferences.delivery_for(member, KIND) is EmailDelivery.OFF


def test_a_refusing_smtp_server_makes_the_job_retry_then_fail_for_admins(
        app, db, client, login, run_jobs):
    app.config["JOBS_RETRIES"] = 2
    member = factories.make_user()
    with SmtpServer(refuse=True, auth=False) as server:
        app.config["SMTP_URL"] = server.url
        mail.send_to_member(member, "test_message")
        assert run_jobs() == 3
    assert server.inbox.attempts == 3 and server.inbox.messages == []
    row = db.session.scalars(select(FailedJob)).one()
    assert row.task == "forum.services.mail.sending.deliver_to_member"
    assert row.args[0] == member.id and row.attempts == 3 and "451" in row.error
    login(factories.make_admin())
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "forum.services.mail.sending.deliver_to_member" in page
    assert "Try again later" in page


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.org", ("mail.example.org", 25, None, None, False, False)),
    ("smtp://u:p@mail.example.org:587?starttls=1", ("mail.example.org", 587, "u", "p", False, True)),
    ("smtp://mail.example.org?starttls=yes", ("mail.example.org", 587, None, None, False, True)),
    ("smtps://u%40x:p%2Fq@mail.example.org", ("mail.example.org", 465, "u@x", "p/q", True, False)),
])
def test_smtp_urls_are_read(url, expected):
    s = parse_smtp_url(url)
    assert (s.host, s.port, s.username, s.password, s.tls, s.starttls) == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org",
                                 "smtps://h?starttls=1", "smtp://h?tls=1"])
def test_bad_smtp_urls_are_refused_when_the_app_starts(url, app_config):
    from forum import create_app

    with pytest.raises(ValueError, match="FORUM_SMTP_URL"):
        create_app({**app_config, "SMTP_URL": url})


def test_smtp_credentials_in_the_url_log_in(app, db, run_jobs):
    with SmtpServer() as server:
        app.config["SMTP_URL"] = server.url
        mail.send_to_address("x@example.org", "test_message")
        run_jobs()
    assert len(server.inbox.messages) == 1 and server.inbox.logged_in == [True]
    assert parse_smtp_url(server.url).username == USER
    assert parse_smtp_url(server.url).password == PASSWORD
    assert db.session.scalar(select(EmailPreference)) is None
