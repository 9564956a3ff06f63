from sqlalchemy import func, select

from forum.models.accounts import AccessToken, Role, User
from forum.models.discussion import FocusArea
from forum.services import accounts


def test_seed_creates_three_focus_areas_and_is_safe_twice(runner, db):
    assert "3 created" in runner.invoke(args=["forum", "seed"]).output
    assert "0 created" in runner.invoke(args=["forum", "seed"]).output
    names = set(db.session.scalars(select(FocusArea.name_en)))
    assert names == {"Innovative welfare and urban development", "Improved quality of life",
                     "City governance – leadership for successful urban development"}
    assert all(a.description_sv and a.description_en for a in db.session.scalars(select(FocusArea)))


def test_seed_demo_adds_every_sector_a_moderator_and_an_admin(runner, db):
    result = runner.invoke(args=["forum", "seed", "--demo"])
    assert result.exit_code == 0, result.output
    users = list(db.session.scalars(select(User)))
    assert {u.sector.value for u in users} >= {"politics", "civil_service", "business",
                                              "civil_society", "academia", "resident"}
    assert {u.role for u in users} >= {Role.MODERATOR, Role.ADMIN}
    again = runner.invoke(args=["forum", "seed", "--demo"])
    assert again.exit_code == 0 and db.session.scalar(select(func.count(User.id))) == len(users)


def test_create_user_reads_password_from_stdin(runner, db):
    result = runner.invoke(args=["forum", "create-user", "kim@example.org", "--name", "Kim Ek",
                                 "--sector", "academia", "--organisation", "Lunds universitet",
                                 "--title", "Lektor", "--role", "moderator", "--verified"],
                           input="en lång och säker fras\n")
    assert result.exit_code == 0, result.output
    user = accounts.find_by_email("kim@example.org")
    assert user.role == Role.MODERATOR and user.is_verified and user.title == "Lektor"
    assert accounts.authenticate("kim@example.org", "en lång och säker fras") is not None
    assert "Password:" not in result.output


def test_create_user_generates_a_password_when_none_is_given(runner, db):
    result = runner.invoke(args=["forum", "create-user", "gen@example.org", "--name", "Gen",
                                 "--sector", "resident"], input="")
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    assert accounts.authenticate("gen@example.org", password) is not None


def test_create_user_refuses_bad_input_clearly(runner, db):
    weak = runner.invoke(args=["forum", "create-user", "w@example.org", "--name", "W",
                               "--sector", "resident"], input="password1\n")
    assert weak.exit_code != 0 and "at least 10" in weak.output
    bad_sector = runner.invoke(args=["forum", "create-user", "x@example.org", "--name", "X",
                                     "--sector", "royalty"])
    assert bad_sector.exit_code != 0 and "royalty" in bad_sector.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_token_prints_a_working_token(runner, db):
    runner.invoke(args=["forum", "create-user", "t@example.org", "--name", "T", "--sector",
                        "business"], input="en lång och säker fras\n")
    result = runner.invoke(args=["forum", "create-token", "t@example.org"])
    secret = result.output.strip()
    assert accounts.user_for_token(secret).email == "t@example.org"
    assert db.session.scalar(select(AccessToken.token_hash)) != secret


def test_create_token_takes_scopes_and_defaults_to_read(runner, db):
    runner.invoke(args=["forum", "create-user", "s@example.org", "--name", "S", "--sector",
                        "business"], input="en lång och säker fras\n")
    runner.invoke(args=["forum", "create-token", "s@example.org", "--scope", "read",
                        "--scope", "write", "--name", "intranet"])
    runner.invoke(args=["forum", "create-token", "s@example.org"])
    bad = runner.invoke(args=["forum", "create-token", "s@example.org", "--scope", "admin"])
    assert bad.exit_code != 0
    scopes = db.session.scalars(select(AccessToken.scopes).order_by(AccessToken.id)).all()
    assert scopes == ["read write", "read"]


def test_set_role_changes_the_role(runner, db):
    runner.invoke(args=["forum", "create-user", "r@example.org", "--name", "R", "--sector",
                        "business"], input="en lång och säker fras\n")
    assert runner.invoke(args=["forum", "set-role", "r@example.org", "admin"]).exit_code == 0
    assert accounts.find_by_email("r@example.org").role == Role.ADMIN


def test_seed_demo_leaves_an_example_email_for_the_outbox(app, runner, db, run_jobs):
    from pathlib import Path

    assert runner.invoke(args=["forum", "seed", "--demo"]).exit_code == 0
    run_jobs()
    texts = [eml.read_text() for eml in Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")]
    assert any("admin@demo.radslag.test" in text for text in texts)  # the test message
    assert any("maria@demo.radslag.test" in text for text in texts)  # the demo digest
