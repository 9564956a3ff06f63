from sqlalchemy import func, select

from forum.models.accounts import Sector, User
from tests import factories

GOOD = {
    "email": "Ny.Ledamot@Example.org",
    "password": "tranbär kanal gryning 42",
    "confirm": "tranbär kanal gryning 42",
    "display_name": "Ny Ledamot",
    "sector": "business",
    "organisation": "Öresund Logistik AB",
    "title": "VD",
}


def _users(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_registration_creates_member_and_signs_in(client, db):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "ny.ledamot@example.org"
    assert user.sector == Sector.BUSINESS and user.organisation == "Öresund Logistik AB"
    assert user.password_hash.startswith("$argon2")
    assert not user.is_verified
    assert "Ny Ledamot" in client.get("/").get_data(as_text=True)


def test_duplicate_email_is_refused_with_a_message(client, db):
    factories.make_user(email="taken@example.org")
    response = client.post("/register", data={**GOOD, "email": "TAKEN@example.org"})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert _users(db) == 1


def test_short_password_is_refused(client, db):
    response = client.post("/register", data={**GOOD, "password": "kort9", "confirm": "kort9"})
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert _users(db) == 0


def test_common_password_is_refused_even_when_long_enough(client, db):
    for common in ("password123", "qwertyuiop", "1234567890"):
        response = client.post("/register", data={**GOOD, "password": common, "confirm": common})
        assert response.status_code == 400
        assert "too common" in response.get_data(as_text=True)
    assert _users(db) == 0


def test_unknown_sector_and_missing_name_are_refused(client, db):
    response = client.post("/register", data={**GOOD, "sector": "royalty", "display_name": " "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert _users(db) == 0


def test_mismatched_confirmation_is_refused(client, db):
    response = client.post("/register", data={**GOOD, "confirm": "something else entirely"})
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)
    assert _users(db) == 0


def test_missing_csrf_token_is_refused_and_nothing_stored(app, db):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert _users(db) == 0


def test_registration_form_labels_every_input(client, db):
    page = client.get("/register").get_data(as_text=True)
    for field in ("email", "password", "confirm", "display_name", "sector", "organisation",
                  "title"):
        assert f'<label class="field__label" for="{field}">' in page
