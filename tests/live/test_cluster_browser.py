"""Issue 16 in Chromium: two members in two browsers, kept by HAProxy's cookie on two
different server processes of the cluster (deploy/cluster.py with the demo forum, on
PostgreSQL, with a Redis of its own), see each other's chat."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from forum.models.live import LiveSession, SessionStatus
from tests.browser.conftest import sign_in
from tests.browser.server import demo_email
from tests.conftest import skip_or_fail
from tests.live.cluster import RedisServer, cluster_module, make_cluster
from tests.live.test_churn import _until

pytestmark = [pytest.mark.browser, pytest.mark.cluster]


def _database_url() -> str:
    """A PostgreSQL database of its own: FORUM_TEST_CLUSTER_DATABASE_URL, or one beside the
    suite's PostgreSQL database (FORUM_TEST_DATABASE_URL or FORUM_TEST_DATABASE_URL_PG)."""
    for name in ("FORUM_TEST_CLUSTER_DATABASE_URL", "FORUM_TEST_DATABASE_URL",
                 "FORUM_TEST_DATABASE_URL_PG"):
        url = os.environ.get(name)
        if url and make_url(url).get_backend_name() == "postgresql":
            base = make_url(url)
            return base.set(database=f"{base.database}_cluster_browser").render_as_string(
                hide_password=False)
    skip_or_fail("the cluster's browser test needs PostgreSQL "
                 "(FORUM_TEST_CLUSTER_DATABASE_URL)")
    return ""


def _fresh_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        # as for the suite's databases (tests/conftest.py): no wait for the WAL flush
        conn.execute(text(f'ALTER DATABASE "{target.database}" SET synchronous_commit = off'))
    admin.dispose()


@pytest.fixture
def demo_cluster(chromium_browser, tmp_path):
    try:
        cluster_module.haproxy_binary()
    except SystemExit as err:
        skip_or_fail(str(err))
    url = _database_url()
    _fresh_database(url)
    redis_server = RedisServer().start()
    cluster = make_cluster(url, redis_server.url, tmp_path / "cluster", servers=2)
    try:
        cluster.start()  # migrations and the demo forum, as `make cluster` does
        yield cluster
    finally:
        cluster.stop()
        redis_server.stop()


def _live_session_id(url: str) -> int:
    engine = create_engine(url)
    with Session(engine) as session:
        found = session.scalar(select(LiveSession.id).where(
            LiveSession.status == SessionStatus.LIVE).order_by(LiveSession.id))
    engine.dispose()
    return found


def _wait(predicate) -> bool:
    return _until(predicate, timeout=10)


def test_two_members_on_two_processes_see_each_others_chat(chromium_browser, demo_cluster):
    session_id = _live_session_id(demo_cluster.env["FORUM_DATABASE_URL"])
    pages = {}
    for who, pin in (("sara", 1), ("omar", 2)):
        context = chromium_browser.new_context(base_url=demo_cluster.url, locale="en-GB")
        context.set_default_timeout(10000)
        context.add_cookies([{"name": "SERVERID", "value": f"s{pin}",
                              "url": demo_cluster.url}])
        page = context.new_page()
        sign_in(page, demo_email(who))
        page.goto(f"/live/{session_id}")
        page.wait_for_selector("#live-connection[data-state=connected]")
        pages[who] = page
    # Each page's socket is open on its own process (the websocket upgrade may still be on
    # its way when the page says connected).
    assert _wait(lambda: all(int(row["scur"]) >= 1 for row in demo_cluster.stats().values())), \
        demo_cluster.stats()
    try:
        for sender, receiver in (("sara", "omar"), ("omar", "sara")):
            body = f"{sender} through the load balancer"
            pages[sender].fill("#live-chat-body", body)
            pages[sender].keyboard.press("Enter")
            pages[receiver].locator("#live-chat li", has_text=body).wait_for()
        for page in pages.values():  # still on the process the cookie chose
            assert any(c["name"] == "SERVERID" for c in page.context.cookies())
    finally:
        for page in pages.values():
            page.context.close()
