from sqlalchemy import select

from forum.models.discussion import Post
from forum.services import accounts
from tests import factories


def test_export_contains_profile_and_posts(client, db, login):
    member = login(factories.make_user(organisation="Helsingborgs stad"))
    factories.make_thread(author=member, posts=2)
    response = client.get("/account/data/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["profile"]["email"] == member.email
    assert data["profile"]["organisation"] == "Helsingborgs stad"
    assert [p["text"] for p in data["posts"]] == ["Post 1", "Post 2"]


def test_export_contains_email_preferences(client, db, login):
    from forum.models.mail import EmailDelivery
    from forum.services.mail import preferences

    member = login(factories.make_user())
    preferences.set_delivery(member, "replies", EmailDelivery.DAILY)
    db.session.commit()
    data = client.get("/account/data/export.json").get_json()
    assert data["email_preferences"] == [{"kind": "replies", "delivery": "daily"}]


def test_export_needs_sign_in(client, db):
    assert client.get("/account/data/export.json").status_code == 302


def test_erasure_removes_personal_details_but_keeps_the_discussion(client, db, login):
    member = login(factories.make_user(organisation="Bolaget AB", title="VD"))
    thread = factories.make_thread(author=member, posts=1)
    token, secret = accounts.create_token(member, "cli")
    email = member.email
    response = client.post("/account/erase", data={"password": factories.PASSWORD,
                                                    "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.erased_at is not None and member.email != email
    assert "Former member" in member.display_name and member.organisation == ""
    assert accounts.user_for_token(secret) is None
    assert db.session.scalar(select(Post).where(Post.thread_id == thread.id)).body_source == "Post 1"
    assert client.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 400
    assert client.get(f"/members/{member.id}").status_code == 404


def test_erasure_needs_the_password(client, db, login):
    member = login(factories.make_user())
    response = client.post("/account/erase", data={"password": "not my password", "confirm": "y"})
    assert response.status_code == 400
    db.session.refresh(member)
    assert member.erased_at is None
