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


def _attempt(client, email, password="wrong password!", address="203.0.113.66"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_failures_from_many_addresses_hit_the_account_limit(app, db):
    user = factories.make_user()
    for n in range(10):  # LOGIN_ACCOUNT_LIMIT: 10 per 15 minutes, spread over addresses
        assert _attempt(app.test_client(), user.email, address=f"203.0.113.{n}").status_code == 400
    fresh = app.test_client()
    assert _attempt(fresh, user.email, factories.PASSWORD, "198.51.100.1").status_code == 429


def test_an_attacker_cannot_lock_the_member_out_of_their_own_browser(app, db):
    user = factories.make_user()
    own = app.test_client()
    assert _attempt(own, user.email, factories.PASSWORD, "192.0.2.10").status_code == 302
    own.post("/logout")
    for n in range(12):
        _attempt(app.test_client(), user.email, address=f"203.0.113.{n}")
    assert _attempt(own, user.email, factories.PASSWORD, "192.0.2.10").status_code == 302


def test_the_members_own_browser_is_not_held_up_by_its_shared_address(app, db):
    """Colleagues behind one address: an attack from that address does not stop a browser
    that has signed in to the account before."""
    user, other = factories.make_user(), factories.make_user()
    own = app.test_client()
    _attempt(own, user.email, factories.PASSWORD, "192.0.2.10")
    own.post("/logout")
    for _n in range(6):
        _attempt(app.test_client(), other.email, address="192.0.2.10")
    assert _attempt(app.test_client(), user.email, factories.PASSWORD,
                    "192.0.2.10").status_code == 429  # an unknown browser there waits
    assert _attempt(own, user.email, factories.PASSWORD, "192.0.2.10").status_code == 302


def test_a_known_browser_has_a_limit_of_its_own(app, db):
    user = factories.make_user()
    own = app.test_client()
    _attempt(own, user.email, factories.PASSWORD)
    own.post("/logout")
    for _n in range(5):
        assert _attempt(own, user.email).status_code == 400
    assert _attempt(own, user.email).status_code == 429


def test_a_forged_known_device_cookie_counts_for_nothing(app, db):
    user = factories.make_user()
    client = app.test_client()
    client.set_cookie("radslag_device", "eyJuIjoiMDAiLCJhIjpbXX0.forged.signature")
    for _n in range(5):
        _attempt(client, user.email)
    assert _attempt(client, user.email).status_code == 429


def test_wrong_codes_at_the_second_step_are_limited(app, db):
    user = factories.make_user()
    factories.enable_two_factor(user)
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    for _n in range(5):
        assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 400
    assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 429
