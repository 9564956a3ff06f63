from sqlalchemy import select

from forum.models.accounts import AccessToken
from forum.services import accounts
from tests import factories


def test_public_profile_shows_sector_organisation_title_and_badge(client, db):
    member = factories.make_user(verified=True, organisation="Helsingborgs stad",
                                 title="Kommunstyrelsens ordförande")
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert member.display_name in page and "Helsingborgs stad" in page
    assert "Kommunstyrelsens ordförande" in page and "Politics" in page
    assert "badge--verified" in page


def test_unknown_profile_is_404(client, db):
    assert client.get("/members/999999").status_code == 404


def test_editing_the_role_removes_the_verified_badge(client, db, login):
    member = login(factories.make_user(verified=True))
    response = client.post("/account/profile", data={
        "display_name": member.display_name, "sector": "business",
        "organisation": "Nytt bolag AB", "title": "VD"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.organisation == "Nytt bolag AB" and not member.is_verified


def test_moderator_verifies_a_member(client, db, login):
    member = factories.make_user()
    login(factories.make_moderator())
    assert client.post(f"/members/{member.id}/verification", data={"verified": "1"}).status_code == 302
    db.session.refresh(member)
    assert member.is_verified


def test_member_cannot_verify_anyone(client, db, login):
    member = factories.make_user()
    login(factories.make_user())
    response = client.post(f"/members/{member.id}/verification", data={"verified": "1"})
    assert response.status_code == 403
    db.session.refresh(member)
    assert not member.is_verified


def test_token_is_shown_once_and_stored_hashed(client, db, login):
    member = login(factories.make_user())
    page = client.post("/account/tokens", data={"name": "skärm", "scopes": ["read", "write"]}
                       ).get_data(as_text=True)
    token = db.session.scalar(select(AccessToken))
    secret = page.split('<code class="token-secret">')[1].split("</code>")[0]
    assert secret.startswith("rds_") and token.token_hash != secret and secret not in token.token_hash
    assert token.scopes == "read write"
    assert accounts.user_for_token(secret).id == member.id
    assert secret not in client.get("/account/tokens").get_data(as_text=True)


def test_a_token_needs_at_least_one_known_scope(client, db, login):
    login(factories.make_user())
    for scopes in ([], ["admin"]):
        response = client.post("/account/tokens", data={"name": "x", "scopes": scopes})
        assert response.status_code == 400
    assert db.session.scalar(select(AccessToken)) is None


def test_revoked_token_no_longer_works(client, db, login):
    member = login(factories.make_user())
    token, secret = accounts.create_token(member, "cli")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert accounts.user_for_token(secret) is None


def test_cannot_revoke_another_members_token(client, db, login):
    token, secret = accounts.create_token(factories.make_user(), "theirs")
    login(factories.make_user())
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 403
    assert accounts.user_for_token(secret) is not None


def test_global_moderator_finds_suspend_on_a_profile_but_members_do_not(client, db, login):
    member = factories.make_user()
    login(factories.make_user())
    assert f"/moderation/members/{member.id}/suspend" not in client.get(
        f"/members/{member.id}").get_data(as_text=True)
    client.post("/logout")
    login(factories.make_moderator())
    assert f"/moderation/members/{member.id}/suspend" in client.get(
        f"/members/{member.id}").get_data(as_text=True)
