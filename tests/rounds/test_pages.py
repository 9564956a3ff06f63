"""Statement rounds through their pages (no JavaScript), live updates for watchers of a
round, the data export and erasure."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from forum.extensions import socketio
from forum.models.accounts import Sector
from forum.models.base import utcnow
from forum.models.discussion import FocusArea
from forum.models.live import Visibility
from forum.models.moderation import ModerationAction
from forum.models.rounds import Round, Statement, StatementTally, StatementVote
from forum.services import privacy
from forum.services.deliberation import rounds, votes
from tests import factories
from tests.rounds.conftest import make_live_session, make_round, make_statement, round_data


def _votes(db) -> int:
    return db.session.scalar(select(func.count()).select_from(StatementVote))


def test_a_moderator_opens_a_round_from_the_thread_page(db, client, login):
    thread = factories.make_thread()
    login(factories.make_moderator())
    assert "Open a statement round" in client.get(f"/threads/{thread.id}").get_data(True)
    closes = (utcnow() + timedelta(days=2)).astimezone(ZoneInfo("Europe/Stockholm"))
    response = client.post(f"/threads/{thread.id}/rounds/new", data={
        "question": "What should the harbour be?", "participation": "members",
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M")})
    made = db.session.scalar(select(Round))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/rounds/{made.id}")
    assert "What should the harbour be?" in client.get(f"/threads/{thread.id}?page=1").get_data(True)


def test_the_round_is_linked_from_its_focus_area(db, client):
    made = make_round()
    area = db.session.get(FocusArea, made.focus_area_id)
    page = client.get(f"/areas/{area.slug}")
    assert page.status_code == 200 and made.question in page.get_data(True)
    assert f"/rounds/{made.id}/results" in page.get_data(True)


def test_a_member_submits_and_votes_one_statement_at_a_time(db, client, login):
    made = make_round()
    first = make_statement(made, text="Keep the quays public")
    second = make_statement(made, text="More housing by the station")
    login(factories.make_user(sector=Sector.ACADEMIA))
    page = client.get(f"/rounds/{made.id}").get_data(True)
    assert "Keep the quays public" in page and "2 statements are waiting for your vote" in page
    response = client.post(f"/rounds/{made.id}/vote",
                           data={"statement_id": first.id, "choice": "agree"})
    assert response.status_code == 302
    page = client.get(f"/rounds/{made.id}").get_data(True)
    assert f'name="statement_id" value="{second.id}"' in page
    response = client.post(f"/rounds/{made.id}/statements", data={"text": "Bring back ferries"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Statement.id))) == 3
    cell = db.session.get(StatementTally, (first.id, Sector.ACADEMIA))
    assert (cell.agree, cell.disagree, cell.passed) == (1, 0, 0)


@pytest.mark.parametrize("data, message", [
    ({"choice": "agree"}, "Vote on a statement from the page"),
    ({"statement_id": "x", "choice": "agree"}, ""),
    ({"choice": "maybe", "statement_id": "1"}, "Not a valid choice"),
])
def test_malformed_votes_get_a_form_error_and_store_nothing(db, client, login, data, message):
    made = make_round()
    make_statement(made)
    login(factories.make_user())
    response = client.post(f"/rounds/{made.id}/vote", data=data)
    assert response.status_code == 400 and message in response.get_data(True)
    assert _votes(db) == 0


def test_voting_on_ones_own_statement_is_a_form_error(db, client, login):
    made, me = make_round(), factories.make_user()
    mine = make_statement(made, me)
    login(me)
    response = client.post(f"/rounds/{made.id}/vote",
                           data={"statement_id": mine.id, "choice": "agree"})
    assert response.status_code == 400
    assert "You cannot vote on your own statement" in response.get_data(True)
    assert _votes(db) == 0


def test_an_over_long_statement_is_a_form_error(db, client, login):
    made = make_round()
    login(factories.make_user())
    response = client.post(f"/rounds/{made.id}/statements", data={"text": "x" * 281})
    assert response.status_code == 400 and "280" in response.get_data(True)
    assert db.session.scalar(select(func.count(Statement.id))) == 0


def test_a_closed_round_says_so(db, client, login):
    made = make_round()
    statement = make_statement(made)
    rounds.close(factories.make_moderator(), made.id, "Done")
    login(factories.make_user())
    page = client.get(f"/rounds/{made.id}").get_data(True)
    assert "This round has closed" in page
    response = client.post(f"/rounds/{made.id}/vote",
                           data={"statement_id": statement.id, "choice": "agree"})
    assert response.status_code == 409 and "This round has closed" in response.get_data(True)
    assert _votes(db) == 0


def test_moderator_actions_are_in_the_public_log(db, client, login):
    made = make_round()
    statement = make_statement(made)
    login(factories.make_moderator())
    assert client.post(f"/rounds/statements/{statement.id}/hide",
                       data={"reason": "Personal data"}).status_code == 302
    assert client.post(f"/rounds/statements/{statement.id}/restore",
                       data={"reason": ""}).status_code == 302
    assert client.post(f"/rounds/{made.id}/close", data={"reason": "Enough"}).status_code == 302
    actions = db.session.scalars(select(ModerationAction.action).order_by(
        ModerationAction.id)).all()
    assert actions == ["hide_statement", "restore_statement", "close_round"]
    log = client.get("/moderation/log").get_data(True)
    assert "Hid a statement in a round" in log and "Closed a statement round early" in log


def test_hiding_without_a_reason_is_refused(db, client, login):
    made = make_round()
    statement = make_statement(made)
    login(factories.make_moderator())
    response = client.post(f"/rounds/statements/{statement.id}/hide", data={"reason": ""})
    assert response.status_code == 400 and "Please give a reason" in response.get_data(True)
    assert db.session.get(Statement, statement.id).hidden_at is None


def test_invite_only_session_rounds_are_403_to_outsiders_with_their_results(db, client, login):
    invitee = factories.make_user()
    session = make_live_session(visibility=Visibility.INVITE_ONLY, invitees=[invitee])
    moderator = db.session.get(factories.User, session.created_by_id)
    made = rounds.open_in_session(moderator, session.id, round_data())
    login(factories.make_user())
    assert client.get(f"/rounds/{made.id}").status_code == 403
    assert client.get(f"/rounds/{made.id}/results").status_code == 403
    client.get("/logout")
    assert client.get(f"/rounds/{made.id}/results").status_code == 403


def test_results_page_says_not_enough_votes_when_few_have_voted(db, client, run_jobs):
    made = make_round()
    statement = make_statement(made, text="Few votes here")
    for sector in (Sector.POLITICS, Sector.BUSINESS):
        votes.vote(factories.make_user(sector=sector), made.id, statement.id, "agree")
    assert run_jobs() == 1
    html = client.get(f"/rounds/{made.id}/results").get_data(True)
    assert "Not enough votes yet" in html and "How these results are found" in html
    assert "not enough votes" in html  # the sector table has no made-up share


# --- Live -------------------------------------------------------------------------------------


@pytest.fixture
def watcher(app):
    clients = []

    def connect(user=None):
        flask_client = app.test_client()
        if user is not None:
            assert flask_client.post("/login", data={
                "email": user.email, "password": factories.PASSWORD}).status_code == 302
        client = socketio.test_client(app, namespace="/deliberation",
                                      flask_test_client=flask_client)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.is_connected("/deliberation"):
            client.disconnect("/deliberation")


def _watch(client, round_id):
    return client.emit("watch", {"kind": "round", "id": round_id}, namespace="/deliberation",
                       callback=True)


def _tallies(client):
    return [m["args"][0] for m in client.get_received("/deliberation") if m["name"] == "tally"]


def test_watchers_see_new_votes_and_statements_without_who_voted(db, client, login, watcher):
    made = make_round()
    statement = make_statement(made, text="Open quays")
    guest = watcher()
    reply = _watch(guest, made.id)
    assert reply["ok"] and reply["snapshot"]["statements"] == 1
    voter = login(factories.make_user(display_name="Sara Ahmed"))
    client.post(f"/rounds/{made.id}/vote", data={"statement_id": statement.id,
                                                "choice": "agree"})
    client.post(f"/rounds/{made.id}/statements", data={"text": "Ferries to Helsingør"})
    vote_msg, statement_msg = _tallies(guest)
    assert (vote_msg["kind"], vote_msg["id"], vote_msg["votes"]) == ("round", made.id, 1)
    assert vote_msg["statement"] == {"id": statement.id, "agree": 1, "disagree": 0, "pass": 0}
    assert "Sara Ahmed" not in str(vote_msg) and str(voter.id) not in str(vote_msg.get("who"))
    assert statement_msg["new_statement"]["text"] == "Ferries to Helsingør"
    assert statement_msg["version"] > vote_msg["version"] > reply["snapshot"]["version"]


def test_outsiders_cannot_watch_an_invite_only_sessions_round(db, watcher):
    invitee = factories.make_user()
    session = make_live_session(visibility=Visibility.INVITE_ONLY, invitees=[invitee])
    moderator = db.session.get(factories.User, session.created_by_id)
    made = rounds.open_in_session(moderator, session.id, round_data())
    assert _watch(watcher(factories.make_user()), made.id)["error"]["code"] == "forbidden"
    assert _watch(watcher(invitee), made.id)["ok"]


# --- Privacy ----------------------------------------------------------------------------------


def test_export_holds_statements_and_votes_and_erasure_removes_the_votes(db):
    made = make_round()
    me = factories.make_user(sector=Sector.RESIDENT)
    mine = make_statement(made, me, text="My idea")
    other = make_statement(made, text="Their idea")
    votes.vote(me, made.id, other.id, "disagree")
    data = privacy.export_data(me)
    assert [s["text"] for s in data["statements"]] == ["My idea"]
    assert [(v["statement"], v["choice"]) for v in data["statement_votes"]] == [
        ("Their idea", "disagree")]
    privacy.erase_account(me, factories.PASSWORD)
    assert _votes(db) == 0
    cell = db.session.get(StatementTally, (other.id, Sector.RESIDENT))
    assert (cell.agree, cell.disagree, cell.passed) == (0, 0, 0)
    assert db.session.get(Statement, other.id).votes == 0
    assert db.session.get(Statement, mine.id) is not None  # statements stay, authorless
