from pathlib import Path

from forum import create_app
from forum.app import load_config


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("FORUM_SECRET_KEY", raising=False)
    from flask import Flask

    first, second = Flask("a", instance_path=str(tmp_path)), Flask("b", instance_path=str(tmp_path))
    load_config(first, None)
    load_config(second, None)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 64
    assert (Path(tmp_path) / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("FORUM_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FORUM_DEFAULT_LANGUAGE", "en")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_pages_carry_a_strict_content_security_policy(client, db):
    policy = client.get("/about").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
