from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests import factories

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def swedish_default(app):
    """The product default (the suite itself runs with English as the default)."""
    app.config["BABEL_DEFAULT_LOCALE"] = "sv"


def test_default_language_is_swedish(client, db, swedish_default):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in page and "Logga in" in page


def test_browser_language_is_followed_without_a_choice(client, db):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page


def test_switching_language_is_remembered_in_a_cookie(client, db, swedish_default):
    response = client.post("/language", data={"language": "en", "next": "/about"})
    assert response.status_code == 302 and response.headers["Location"] == "/about"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"language": "sv"})
    assert '<html lang="sv">' in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True)


def test_form_library_messages_follow_the_language(client, db):
    """WTForms' own messages ("This field is required.") come in the request's language."""
    for language, message in (("sv", "Det här fältet är obligatoriskt."),
                              ("en", "This field is required."), ("sv", "obligatoriskt")):
        page = client.post("/login", data={"email": "", "password": ""},
                           headers={"Accept-Language": language}).get_data(as_text=True)
        assert message in page, language


def test_choice_is_saved_on_the_account(client, db, login):
    member = login(factories.make_user())
    client.post("/language", data={"language": "en"})
    db.session.refresh(member)
    assert member.language == "en"
    other = factories.focus_area()  # noqa: F841 - the page lists areas
    fresh = client.application.test_client()
    fresh.post("/login", data={"email": member.email, "password": factories.PASSWORD})
    assert '<html lang="en">' in fresh.get("/").get_data(as_text=True)


def test_unknown_language_is_refused(client, db):
    assert client.post("/language", data={"language": "xx"}).status_code == 400


def test_language_switch_never_redirects_off_site(client, db):
    response = client.post("/language", data={"language": "en", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"


def test_error_pages_in_both_languages(client, db, swedish_default):
    sv = client.get("/no-such-page").get_data(as_text=True)
    en = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sidan hittades inte" in sv and "Page not found" in en
    assert 'class="site-header"' in sv  # rendered in the layout


def test_json_clients_get_json_errors(client, db):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["ok"] is False


def test_catalogues_are_complete():
    """Every message has a translation in both catalogues, and none is fuzzy."""
    for language in ("sv", "en"):
        with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as fh:
            catalog = read_po(fh)
        missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy
                                                      or (isinstance(m.string, tuple)
                                                          and not all(m.string)))]
        assert not missing, f"{language}: {len(missing)} untranslated, e.g. {missing[:3]}"


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    """Extracting again finds nothing the catalogue lacks (run `make messages` after edits)."""
    from babel.messages.frontend import CommandLineInterface

    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs",
                                ".venv node_modules tests bench", "-o", str(pot), str(ROOT)])
    with open(pot, "rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with open(ROOT / "translations" / "sv" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        have = {m.id for m in read_po(fh) if m.id}
    assert not wanted - have, f"not in the catalogue: {sorted(wanted - have, key=str)[:5]}"


def test_times_are_shown_in_stockholm_in_the_users_language(app):
    from datetime import UTC, datetime

    from flask_babel import refresh

    from forum.templating import day, when

    summer = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)  # 12:30 in Stockholm (CEST)
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        assert "12:30" in when(summer) and "juni" in when(summer)
        assert day(summer) == "15 juni 2026"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        refresh()  # the locale is cached per app context
        assert "12:30" in when(summer) and "Jun" in when(summer)
        assert day(summer) == "June 15, 2026"


def test_every_error_page_renders_in_the_layout(app, client, db):
    from flask import abort

    @app.get("/_boom/<int:code>")
    def _boom(code):
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    for code in (400, 403, 404, 429, 500):
        response = client.get(f"/_boom/{code}", headers={"Accept-Language": "en"})
        page = response.get_data(as_text=True)
        assert response.status_code == code
        assert 'class="site-header"' in page and f'<p class="error-page__code">{code}</p>' in page
