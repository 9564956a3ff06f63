from tests import factories


def test_login_and_logout(client, db):
    user = factories.make_user()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert user.display_name in client.get("/").get_data(as_text=True)
    client.post("/logout")
    assert user.display_name not in client.get("/").get_data(as_text=True)


def test_login_redirects_only_to_local_next(client, db):
    user = factories.make_user()
    data = {"email": user.email, "password": factories.PASSWORD}
    assert client.post("/login?next=/about", data=data).headers["Location"] == "/about"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/", data=data).headers["Location"] == "/"
    client.post("/logout")
    assert client.post("/login?next=//evil.example", data=data).headers["Location"] == "/"


def test_unknown_email_and_wrong_password_get_the_same_answer(client, db):
    user = factories.make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "whatever1"})
    assert wrong.status_code == unknown.status_code == 400
    message = "The email address or password is not correct."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert "No such" not in unknown.get_data(as_text=True)


def test_remember_me_sets_a_lasting_cookie(client, db):
    user = factories.make_user()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "remember": "y"})
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_change_password_needs_the_current_one(client, db, login):
    user = login(factories.make_user())
    bad = client.post("/account/password", data={
        "current_password": "wrong wrong wrong", "new_password": "ny lång fras om hamnen",
        "confirm": "ny lång fras om hamnen"})
    assert bad.status_code == 400
    good = client.post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": "ny lång fras om hamnen",
        "confirm": "ny lång fras om hamnen"})
    assert good.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": user.email,
                                       "password": "ny lång fras om hamnen"}).status_code == 302


def test_pages_for_members_send_anonymous_visitors_to_login(client, db):
    response = client.get("/account/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
