from tests import factories


def _fail(client, email):
    return client.post("/login", data={"email": email, "password": "wrong password!"})


def test_repeated_failures_for_one_email_are_throttled(app, client, db):
    user = factories.make_user()
    for _ in range(5):
        assert _fail(client, user.email).status_code == 400
    response = _fail(client, user.email)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "try again" in response.get_data(as_text=True)
    # Even the right password waits until the window has passed.
    right = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert right.status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, db):
    user = factories.make_user()
    for _ in range(8):
        response = client.post("/login", data={"email": user.email,
                                                "password": factories.PASSWORD})
        assert response.status_code == 302
        client.post("/logout")


def test_throttle_recovers_after_the_window(app, client, db):
    app.config["LOGIN_FAILURE_LIMIT"] = "2 per 2 seconds"
    user = factories.make_user()
    _fail(client, user.email)
    _fail(client, user.email)
    assert _fail(client, user.email).status_code == 429
    import time

    time.sleep(2.1)
    assert client.post("/login", data={"email": user.email,
                                       "password": factories.PASSWORD}).status_code == 302


def test_throttled_json_clients_get_a_json_error(client, db):
    user = factories.make_user()
    for _ in range(5):
        _fail(client, user.email)
    response = client.post("/login", data={"email": user.email, "password": "x"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 429
    body = response.get_json()
    assert body["ok"] is False and body["error"]["code"] == "too_many_requests"
