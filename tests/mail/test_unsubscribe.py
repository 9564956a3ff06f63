"""The one-click unsubscribe link: GET asks, POST turns the kind off, without signing in;
a changed link is refused and changes nothing; using a link again changes nothing more."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.models.mail import EmailDelivery, EmailPreference
from forum.services.mail import preferences
from tests import factories

KIND = "test-digest"


@pytest.fixture(autouse=True, scope="module")
def _kind():
    preferences.register_kind(KIND, "the daily test digest", default=EmailDelivery.DAILY)
    yield
    preferences.KINDS.pop(KIND)


def _rows(db) -> int:
    return db.session.scalar(select(func.count()).select_from(EmailPreference))


def test_the_link_asks_first_and_changes_nothing(client, db):
    member = factories.make_user(display_name="Per Holm")
    page = client.get(f"/unsubscribe/{preferences.unsubscribe_token(member.id, KIND)}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "the daily test digest" in text and "Per Holm" in text and 'method="post"' in text
    assert _rows(db) == 0 and preferences.delivery_for(member, KIND) is EmailDelivery.DAILY


def test_one_click_turns_the_kind_off_without_signing_in_or_a_form_token(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: mail programs send no token
    member = factories.make_user()
    other = factories.make_user()
    response = client.post(f"/unsubscribe/{preferences.unsubscribe_token(member.id, KIND)}",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "Done" in response.get_data(as_text=True)
    assert preferences.delivery_for(member, KIND) is EmailDelivery.OFF
    assert preferences.delivery_for(other, KIND) is EmailDelivery.DAILY


def test_a_link_used_again_changes_nothing_more(client, db):
    member = factories.make_user()
    url = f"/unsubscribe/{preferences.unsubscribe_token(member.id, KIND)}"
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
    assert client.get(url).status_code == 200
    assert _rows(db) == 1 and preferences.delivery_for(member, KIND) is EmailDelivery.OFF


def test_turning_off_one_kind_leaves_the_others(client, db):
    member = factories.make_user()
    preferences.set_delivery(member, "other-kind", EmailDelivery.IMMEDIATE)
    db.session.commit()
    client.post(f"/unsubscribe/{preferences.unsubscribe_token(member.id, KIND)}")
    assert preferences.delivery_for(member, "other-kind") is EmailDelivery.IMMEDIATE


def _tampered(token: str) -> list[str]:
    payload, _, signature = token.rpartition(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return [f"{payload}.{flipped}", token[:-3], "not-a-token", token + "x",
            preferences.unsubscribe_token(10**9, KIND)]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_changed_or_foreign_link_is_refused_with_a_clear_page(client, db, method):
    member = factories.make_user()
    for token in _tampered(preferences.unsubscribe_token(member.id, KIND)):
        response = client.open(f"/unsubscribe/{token}", method=method)
        assert response.status_code == 400, token
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert _rows(db) == 0


def test_a_link_cannot_be_rewritten_to_name_another_member(client, db):
    import base64
    import json

    member, victim = factories.make_user(), factories.make_user()
    payload, _, signature = preferences.unsubscribe_token(member.id, KIND).partition(".")
    forged = base64.urlsafe_b64encode(json.dumps([victim.id, KIND]).encode()).decode().rstrip("=")
    assert client.post(f"/unsubscribe/{forged}.{signature}").status_code == 400
    assert _rows(db) == 0


def test_a_link_of_an_erased_member_is_refused(client, db):
    member = factories.make_user()
    member.erased_at = member.created_at
    db.session.commit()
    assert client.post(f"/unsubscribe/{preferences.unsubscribe_token(member.id, KIND)}"
                       ).status_code == 400
    assert _rows(db) == 0


def test_the_page_is_in_the_visitors_language(client, db):
    member = factories.make_user()
    page = client.get(f"/unsubscribe/{preferences.unsubscribe_token(member.id, KIND)}",
                      headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "Sluta få mejl" in page
