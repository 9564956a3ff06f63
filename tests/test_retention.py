"""Stored IP addresses are shortened to their networks after FORUM_IP_RETENTION_DAYS: every
marked column, in batches, idempotently; `forum prune-ips` runs it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.models.accounts import User
from forum.models.base import IP_ADDRESS, utcnow
from forum.services import retention
from tests import factories


def _registered(days_ago: int, ip: str | None) -> int:
    user = factories.make_user(registration_ip=ip, created_at=utcnow() - timedelta(days=days_ago))
    return user.id


def _ips(db) -> dict[int, str | None]:
    db.session.expire_all()
    return dict(db.session.execute(select(User.id, User.registration_ip)).all())


def test_registration_keeps_the_address_it_came_from(client, db):
    response = client.post("/register", data={
        "email": "new.member@example.org", "password": "Hamnkran-Ljung-Trappa-41",
        "confirm": "Hamnkran-Ljung-Trappa-41", "display_name": "New Member",
        "sector": "resident"}, environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.registration_ip)) == "198.51.100.23"


@pytest.mark.parametrize("address, network", [
    ("198.51.100.23", "198.51.100.0/24"),
    ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::/48"),
    ("198.51.100.0/24", "198.51.100.0/24"),
    ("not an address", None),
    (None, None),
])
def test_shorten_keeps_only_the_network(address, network):
    assert retention.shorten(address) == network


def test_old_addresses_are_shortened_and_recent_ones_kept(app, db):
    old_v4, old_v6 = _registered(31, "198.51.100.23"), _registered(45, "2001:db8::1")
    recent, unknown = _registered(29, "203.0.113.9"), _registered(400, None)
    assert retention.prune_ips() == 2
    assert _ips(db) == {old_v4: "198.51.100.0/24", old_v6: "2001:db8::/48",
                        recent: "203.0.113.9", unknown: None}


def test_pruning_again_changes_nothing(app, db):
    _registered(31, "198.51.100.23")
    assert retention.prune_ips() == 1
    before = _ips(db)
    assert retention.prune_ips() == 0
    assert _ips(db) == before


def test_pruning_works_through_a_backlog_in_batches(app, db):
    ids = [_registered(60, f"192.0.2.{n}") for n in range(7)]
    assert retention.prune_ips(batch=3) == 7
    assert set(_ips(db)[i] for i in ids) == {"192.0.2.0/24"}


def test_the_retention_time_is_a_setting(app, db):
    user_id = _registered(10, "198.51.100.23")
    app.config["IP_RETENTION_DAYS"] = 7
    assert retention.prune_ips() == 1
    assert _ips(db)[user_id] == "198.51.100.0/24"


def test_the_command_prunes(app, db, runner):
    user_id = _registered(40, "198.51.100.23")
    result = runner.invoke(args=["forum", "prune-ips"])
    assert result.exit_code == 0 and "shortened to their network: 1" in result.output
    assert _ips(db)[user_id] == "198.51.100.0/24"
    result = runner.invoke(args=["forum", "prune-ips", "--days", "0"])
    assert result.exit_code != 0


def test_every_column_that_looks_like_an_address_is_marked(app):
    """A new column for addresses (ip, *_ip, ip_*, *address* that is not an email) must carry
    the marker, or it would be kept for ever."""
    from forum.extensions import db as _db

    unmarked = [f"{table.name}.{column.name}" for table in _db.metadata.sorted_tables
                for column in table.columns
                if _looks_like_an_address(column.name) and IP_ADDRESS not in column.info]
    assert unmarked == []
    assert {c.address.name for c in retention.address_columns()} >= {"registration_ip"}


def _looks_like_an_address(name: str) -> bool:
    parts = name.lower().split("_")
    return "ip" in parts or "addr" in parts or ("address" in parts and "email" not in parts)


def test_erasing_an_account_forgets_its_address(app, db):
    from forum.services import privacy

    user = factories.make_user(registration_ip="198.51.100.23")
    privacy.erase_account(user, factories.PASSWORD)
    assert _ips(db)[user.id] is None


def test_the_setting_must_be_a_number_of_days(app):
    from forum import create_app
    from tests.conftest import _config

    with pytest.raises(ValueError, match="FORUM_IP_RETENTION_DAYS"):
        create_app({**_config(app.config["SQLALCHEMY_DATABASE_URI"]), "IP_RETENTION_DAYS": "0"})


def test_admins_see_where_an_account_was_registered_from(app, db, client, login):
    member = factories.make_user(registration_ip="198.51.100.23")
    login(factories.make_admin())
    assert "198.51.100.23" in client.get(f"/admin/members/{member.id}").get_data(as_text=True)


def test_the_export_tells_the_member_the_address(app, db, client, login):
    member = login(factories.make_user(registration_ip="198.51.100.23"))
    data = client.get("/account/data/export.json").json
    assert data["profile"]["registered_from"] == "198.51.100.23" and member


@pytest.mark.parametrize("language, words", [("en", "After 30 days a stored address"),
                                             ("sv", "Efter 30 dagar förkortas en sparad adress")])
def test_the_privacy_text_states_the_retention_time_in_both_languages(client, language, words):
    client.post("/language", data={"language": language, "next": "/about"})
    assert words in client.get("/about").get_data(as_text=True)


def test_the_worker_prunes_every_night(app, db):
    from datetime import datetime

    from forum import jobs

    due = {type(t).__name__ for t in jobs.huey.read_periodic(datetime(2026, 12, 1, 3, 17))}
    later = {type(t).__name__ for t in jobs.huey.read_periodic(datetime(2026, 12, 1, 4, 17))}
    assert "prune_ips_daily" in due and "prune_ips_daily" not in later
    user_id = _registered(40, "198.51.100.23")
    retention.prune_ips_daily()  # the job's function, inline in this app
    assert _ips(db)[user_id] == "198.51.100.0/24"


def test_the_demo_members_show_where_they_registered_from(demo_forum, db, client, login):
    from forum.services import accounts
    from forum.services.demo.people import email_for

    sara = accounts.find_by_email(email_for("sara"))
    login(accounts.find_by_email(email_for("admin")), "rådslag-demo-lösenord")
    assert sara.registration_ip in client.get(f"/admin/members/{sara.id}").get_data(as_text=True)
    assert sara.registration_ip.startswith("192.0.2.")
