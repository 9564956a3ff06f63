"""Hostile requests: oversized bodies, bodies of the wrong type, forged CSRF tokens, another
member's ids in every route, ids and URLs beyond reason, path traversal. Each gets a clear 4xx
and changes nothing: every table holds exactly the rows it held before.

The routes and the small world come from the authorisation matrix (tests/test_authorization_
matrix.py), so a new route is covered here as soon as it has its row there."""
from __future__ import annotations

import re
import socket

import pytest
from sqlalchemy import select

from forum.extensions import db as _db
from forum.ids import BoundedIntegerConverter
from tests import factories
from tests.test_authorization_matrix import (
    API_OUTCOMES,
    API_ROWS,
    KINDS,
    ROWS,
    _call,
    _outcome,
    _tokens,
    _world,
    send,
)

REFUSED = {"in", "no", "nf", "bad", "cf"}
API_REFUSED = REFUSED
POST_ROWS = [row for row in ROWS if row.method == "POST"]
HUGE = "9" * 25


# What using a token rightly changes even when the request is refused.
BOOKKEEPING = {("access_tokens", "last_used_at")}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (the world is small), read afresh."""
    _db.session.expire_all()
    tables = {}
    with _db.engine.connect() as connection:
        for table in _db.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in BOOKKEEPING]
            rows = connection.execute(select(*columns))
            tables[table.name] = sorted(map(tuple, rows), key=repr)
    return tables


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _doer(row) -> str:
    """A kind of user for whom the row's request would go through (admin when none does)."""
    return next((k for k in KINDS if row.outcome_for(k) in ("go", "ok")), "admin")


# --- Another member's ids ---------------------------------------------------------------------


REFUSING_ROWS = [row for row in ROWS if {row.outcome_for(k) for k in KINDS} & REFUSED]


@pytest.mark.parametrize("row", REFUSING_ROWS, ids=[row.id for row in REFUSING_ROWS])
def test_every_refused_request_changes_nothing(app, db, row):
    """Each kind of user the matrix refuses (someone else's post, token, appeal, decision
    ...) gets its 3xx-to-sign-in, 403, 404, 400 or 409, and no table changes."""
    refused = [kind for kind in KINDS if row.outcome_for(kind) in REFUSED]
    world = _world()
    before, problems = snapshot(), []
    for kind in refused:
        response = send(app, world, kind, row)
        tables = changed(before, snapshot())
        if _outcome(response) != row.outcome_for(kind) or tables:
            problems.append(f"{kind}: {response.status_code}, changed {tables}")
    assert not problems, f"{row.method} {row.endpoint}:\n" + "\n".join(problems)


API_REFUSING = [row for row in API_ROWS if {row.outcome_for(k) for k in KINDS} & API_REFUSED]


@pytest.mark.parametrize("row", API_REFUSING, ids=[row.id for row in API_REFUSING])
def test_every_refused_api_request_changes_nothing(app, db, row):
    """The same through the JSON API, each kind with a full-scope token of its own."""
    world = _world()
    tokens = _tokens(world)
    before, problems = snapshot(), []
    for kind in KINDS:
        expected = row.outcome_for(kind)
        if expected not in API_REFUSED:
            continue
        response = _call(app, row, world, tokens.get(kind))
        got = API_OUTCOMES.get(response.status_code, str(response.status_code))
        tables = changed(before, snapshot())
        if got != expected or tables:
            problems.append(f"{kind}: {response.status_code}, changed {tables}")
    assert not problems, f"{row.method} {row.endpoint}:\n" + "\n".join(problems)


def test_every_route_with_an_id_answers_404_for_an_id_beyond_any_row(app, db):
    world, problems = _world(), []
    before = snapshot()
    for rule in app.url_map.iter_rules():
        numbers = [name for name, converter in rule._converters.items()
                   if isinstance(converter, BoundedIntegerConverter)]
        if not numbers:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(\w+:)?{name}>", HUGE if name in numbers else "post", url)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            status = send(app, world, "admin", _as_row(method, url), data={}).status_code
            if status != 404:
                problems.append(f"{method} {url}: {status}")
    assert not problems
    assert not changed(before, snapshot())


@pytest.mark.parametrize("query", [f"/threads/{{thread}}?page={HUGE}",
                                   f"/topics/{{topic}}?page={HUGE}",
                                   f"/moderation/log?area={HUGE}&page={HUGE}",
                                   f"/moderation/queue?area={HUGE}",
                                   "/threads/{thread}/reply?to=" + HUGE])
def test_numbers_beyond_any_row_in_the_query_string_are_no_error(app, db, query):
    world = _world()
    url = query.format(thread=world.thread.id, topic=world.topic.id)
    status = send(app, world, "admin", _as_row("GET", url), data={}).status_code
    assert status in (200, 400, 404)


def _as_row(method: str, url: str):
    from tests.test_authorization_matrix import Row

    return Row("-", method, lambda w: url, " ".join(["ok"] * len(KINDS)))


# --- Forged CSRF tokens -----------------------------------------------------------------------


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def _real_token(app) -> str:
    """A token that is valid, but for another browser's session."""
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _csrf_exempt(app, row) -> bool:
    """Routes that take no CSRF token by design (one-click unsubscribe, RFC 8058: the
    signed token in its URL is the proof)."""
    from forum.extensions import csrf

    view = app.view_functions[row.endpoint]
    return f"{view.__module__}.{view.__name__}" in csrf._exempt_views


@pytest.mark.parametrize("token", ["", "forged", "real-elsewhere"])
def test_forged_csrf_tokens_are_refused_on_every_form_route(app, db, csrf_on, token):
    world, problems = _world(), []
    before = snapshot()
    sent = _real_token(app) if token == "real-elsewhere" else token
    for row in POST_ROWS:
        if _csrf_exempt(app, row):
            continue
        kind = _doer(row)
        response = send(app, world, kind, row, data={**row.data(world), "csrf_token": sent})
        body = response.get_data(as_text=True)
        if response.status_code != 400 or "reload the page" not in body:
            problems.append(f"{row.id} as {kind}: {response.status_code}")
        if changed(before, snapshot()):
            problems.append(f"{row.id} as {kind}: changed {changed(before, snapshot())}")
    assert not problems


def test_a_forged_sign_out_leaves_the_member_signed_in(app, db, client, login):
    member = login(factories.make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert member.display_name in client.get("/").get_data(as_text=True)


# --- Bodies: too large, wrong type -------------------------------------------------------------


def test_an_oversized_body_gets_413_with_the_limit_and_stores_nothing(app, db, client, login):
    thread = factories.make_thread()
    login(factories.make_user(verified=True))
    before = snapshot()
    response = client.post(f"/threads/{thread.id}/reply",
                           data={"body": "x" * (600 * 1024), "capacity": "personal"})
    assert response.status_code == 413
    assert "at most 512 KB" in response.get_data(as_text=True)
    as_json = client.post(f"/threads/{thread.id}/reply", data={"body": "x" * (600 * 1024)},
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 413 and as_json.json["error"]["code"] == "request_entity_too_large"
    assert not changed(before, snapshot())


@pytest.mark.parametrize("kind, body", [
    ("application/json", '{"body": "A reply", "capacity": "personal"}'),
    ("text/plain", "body=A reply"),
    ("application/xml", "<body>A reply</body>"),
    ("", "body=A+reply"),
])
def test_a_body_that_is_no_form_gets_415_on_every_form_route(app, db, kind, body):
    world, problems = _world(), []
    before = snapshot()
    for row in POST_ROWS:
        response = send(app, world, _doer(row), row, data=body.encode(),
                        headers={"Content-Type": kind} if kind else {})
        if response.status_code != 415:
            problems.append(f"{row.id}: {response.status_code}")
    assert not problems
    assert not changed(before, snapshot())


def test_the_415_page_says_why(app, db, client):
    response = client.post("/login", json={"email": "a@example.org", "password": "x"})
    assert response.status_code == 415
    assert "accepts only what its own forms send" in response.get_data(as_text=True)


# --- URLs, headers, files ---------------------------------------------------------------------


def test_an_overlong_url_and_overlong_headers_are_no_error(app, db, client):
    before = snapshot()
    assert client.get("/" + "a" * 20_000).status_code == 404
    assert client.get("/threads/" + "1" * 5_000).status_code == 404
    page = client.get("/about", headers={"Accept-Language": "sv;q=0.9," * 5_000,
                                         "X-Request-ID": "r" * 10_000,
                                         "Cookie": "radslag_session=" + "x" * 8_000})
    assert page.status_code == 200 and len(page.headers["X-Request-ID"]) == 32
    assert not changed(before, snapshot())


TRAVERSALS = ["/static/../forum/config.py", "/static/%2e%2e/forum/config.py",
              "/static/..%2fforum%2fconfig.py", "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
              "/static/vendor/../../forum/app.py", "/static/..\\forum\\config.py",
              "/static/css/%00forum.css", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
              "/static/vendor/%2e%2e/%2e%2e/instance/secret_key"]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_in_static_files_finds_nothing(app, client, url):
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 404, url
    body = response.get_data(as_text=True)
    assert "SQLALCHEMY" not in body and "root:" not in body and "create_app" not in body


@pytest.mark.transport
def test_the_production_server_refuses_overlong_request_lines_and_headers(database_url):
    """serve.py (gevent) answers 414 to a request line past 8 KB and 400 to a header past
    64 KB, before the app sees either."""
    from tests.live.transport import Server

    server = Server(database_url).start()
    try:
        assert _raw(server.port, f"GET /{'a' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n") == 414
        assert _raw(server.port, "GET /about HTTP/1.1\r\nHost: x\r\n"
                                 f"X-Long: {'b' * 70_000}\r\n\r\n") == 400
        assert _raw(server.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == 200
    finally:
        server.stop()


def _raw(port: int, request: str) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        head = sock.recv(100).decode(errors="replace")
    return int(head.split()[1])
