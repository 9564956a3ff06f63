"""Statement rounds through the API: reading a round, submitting statements, voting, and the
refusals (same rules as the pages; nothing stored on a refusal)."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.extensions import db
from forum.models.accounts import Sector, User
from forum.models.live import Visibility
from forum.models.rounds import Statement, StatementVote
from forum.services.deliberation import rounds
from tests import factories
from tests.rounds.conftest import make_live_session, make_round, make_statement, round_data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_read_a_round_with_its_statements_and_totals(api, world, token_for):
    made = make_round(thread=world.thread)
    statement = make_statement(made, text="Open quays")
    api("POST", f"/api/v1/rounds/{made.id}/votes", token_for(world.other, "write"),
        json={"statement_id": statement.id, "choice": "agree"})
    body = api("GET", f"/api/v1/rounds/{made.id}").json
    assert body["question"] == made.question and body["status"] == "open"
    assert body["statements"] == [{"id": statement.id, "text": "Open quays", "agree": 1,
                                   "disagree": 0, "pass": 0}]
    assert body["results_url"].endswith(f"/rounds/{made.id}/results")


def test_submit_and_vote_and_change_the_vote(api, world, token_for):
    made = make_round(thread=world.thread)
    response = api("POST", f"/api/v1/rounds/{made.id}/statements",
                   token_for(world.author, "write"), json={"text": "More ferries"})
    assert response.status_code == 201 and response.json["status"] == "published"
    sid = response.json["statement_id"]
    token = token_for(factories.make_user(sector=Sector.BUSINESS), "write")
    first = api("POST", f"/api/v1/rounds/{made.id}/votes", token,
                json={"statement_id": sid, "choice": "agree"})
    assert first.status_code == 200 and first.json["changed"] is True
    again = api("POST", f"/api/v1/rounds/{made.id}/votes", token,
                json={"statement_id": sid, "choice": "pass"})
    assert again.json["changed"] is True and again.json["version"] > first.json["version"]
    assert _count(StatementVote) == 1


def test_bad_input_is_refused_and_nothing_is_stored(api, world, token_for):
    made = make_round(thread=world.thread)
    author = world.author
    mine = make_statement(made, author)
    token = token_for(author, "write")
    too_long = api("POST", f"/api/v1/rounds/{made.id}/statements", token, json={"text": "x" * 281})
    assert too_long.status_code == 422
    for payload in ({"statement_id": mine.id, "choice": "maybe"},
                    {"statement_id": str(mine.id), "choice": "agree"}, {"choice": "agree"}):
        assert api("POST", f"/api/v1/rounds/{made.id}/votes", token,
                   json=payload).status_code == 422
    own = api("POST", f"/api/v1/rounds/{made.id}/votes", token,
              json={"statement_id": mine.id, "choice": "agree"})
    assert own.status_code == 422 and "your own statement" in own.get_data(True)
    assert _count(StatementVote) == 0 and _count(Statement) == 1
    assert api("POST", f"/api/v1/rounds/{made.id}/votes",
               json={"statement_id": mine.id, "choice": "agree"}).status_code == 401


def test_a_closed_round_refuses_with_409(api, world, token_for):
    made = make_round(thread=world.thread)
    statement = make_statement(made)
    rounds.close(factories.make_moderator(), made.id)
    response = api("POST", f"/api/v1/rounds/{made.id}/votes", token_for(world.other, "write"),
                   json={"statement_id": statement.id, "choice": "agree"})
    assert response.status_code == 409 and _count(StatementVote) == 0


def test_invite_only_session_rounds_are_refused_to_outsiders(api, world, token_for):
    invitee = factories.make_user()
    session = make_live_session(visibility=Visibility.INVITE_ONLY, invitees=[invitee])
    made = rounds.open_in_session(db.session.get(User, session.created_by_id), session.id,
                                  round_data())
    assert api("GET", f"/api/v1/rounds/{made.id}",
               token_for(world.other, "read")).status_code == 403
    assert api("GET", f"/api/v1/rounds/{made.id}").status_code in (401, 403)
    assert api("GET", f"/api/v1/rounds/{made.id}", token_for(invitee, "read")).status_code == 200
