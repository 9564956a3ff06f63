"""Round statements in the forum-wide review queue: pending and flagged ones appear beside
posts for the moderators of the round's focus area, and approving, rejecting, hiding,
restoring and dismissing flags there act as on the round's own panel, in the public log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.exceptions import Conflict
from forum.models.discussion import PostStatus
from forum.models.moderation import ModerationAction
from forum.models.rounds import Round, Statement, StatementFlag
from forum.services.deliberation import statements
from tests import factories
from tests.moderation.conftest import scoped_moderator
from tests.rounds.conftest import make_round, make_statement

QUEUE = "/moderation/queue"


def _log(db, action: str) -> list[ModerationAction]:
    return list(db.session.scalars(select(ModerationAction).where(
        ModerationAction.action == action)))


def _held(made, text="The quay belongs to everyone"):
    return statements.submit(factories.make_user(), made.id, text).statement


def _flagged(made, n: int = 1, text="Buy cheap watches here", reason="spam"):
    statement = make_statement(made, text=text)
    for _ in range(n):
        statements.flag(factories.make_user(), statement.id, reason)
    return statement


def test_a_pending_statement_waits_in_the_queue_and_is_approved_there(
        db, client, login, area, thread):
    moderator = scoped_moderator(area)
    made = make_round(thread, moderator, premoderate=True)
    held = _held(made)
    login(moderator)
    page = client.get(QUEUE).get_data(True)
    assert "The quay belongs to everyone" in page and made.question in page
    response = client.post(f"/rounds/statements/{held.id}/approve", data={"next": QUEUE})
    assert response.status_code == 302 and response.headers["Location"].startswith(QUEUE)
    db.session.expire_all()
    assert db.session.get(Statement, held.id).status == PostStatus.PUBLISHED
    (entry,) = _log(db, "approve_statement")
    assert entry.moderator_id == moderator.id and entry.focus_area_id == area.id
    assert "The quay belongs to everyone" not in client.get(QUEUE).get_data(True)
    assert "Approved a statement in a round" in client.get("/moderation/log").get_data(True)


def test_a_pending_statement_is_rejected_from_the_queue_with_a_reason(
        db, client, login, area, thread):
    moderator = scoped_moderator(area)
    held = _held(make_round(thread, moderator, premoderate=True))
    login(moderator)
    assert client.post(f"/rounds/statements/{held.id}/reject",
                       data={"next": QUEUE}).status_code == 400  # a reason is needed
    assert not _log(db, "reject_statement")
    client.post(f"/rounds/statements/{held.id}/reject", data={"next": QUEUE,
                                                             "reason": "Off topic"})
    db.session.expire_all()
    assert db.session.get(Statement, held.id).status == PostStatus.REJECTED
    assert [e.reason for e in _log(db, "reject_statement")] == ["Off topic"]


def test_a_flagged_statement_is_hidden_then_restored_from_the_queue(
        db, client, login, area, thread):
    moderator = scoped_moderator(area)
    made = make_round(thread, moderator)
    flagged = _flagged(made)
    login(moderator)
    page = client.get(QUEUE).get_data(True)
    assert "Buy cheap watches here" in page and "1 open flag" in page
    client.post(f"/rounds/statements/{flagged.id}/hide", data={"next": QUEUE,
                                                              "reason": "Spam"})
    db.session.expire_all()
    assert db.session.get(Statement, flagged.id).hidden_at is not None
    assert db.session.scalar(select(StatementFlag.resolved_by_id)) == moderator.id
    assert "Buy cheap watches here" not in client.get(QUEUE).get_data(True)  # decided
    client.post(f"/rounds/statements/{flagged.id}/restore", data={"next": QUEUE})
    db.session.expire_all()
    assert db.session.get(Statement, flagged.id).is_shown
    assert len(_log(db, "hide_statement")) == len(_log(db, "restore_statement")) == 1


def test_dismissing_flags_lifts_the_hide_the_flags_caused(db, client, login, area, thread):
    moderator = scoped_moderator(area)
    made = make_round(thread, moderator)
    flagged = _flagged(made, n=3, text="The harbour tax is a fraud")  # hidden by the flags
    db.session.expire_all()
    assert db.session.get(Statement, flagged.id).hidden_at is not None
    version = db.session.get(Round, made.id).version
    login(moderator)
    page = client.get(QUEUE).get_data(True)
    assert "The harbour tax is a fraud" in page and "3 open flags" in page
    response = client.post(f"/rounds/statements/{flagged.id}/dismiss-flags",
                           data={"next": QUEUE, "reason": "Fair criticism"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Statement, flagged.id).is_shown
    assert db.session.get(Round, made.id).version == version + 1  # back in the results
    assert None not in db.session.scalars(select(StatementFlag.resolved_at)).all()
    (entry,) = _log(db, "dismiss_statement_flags")
    assert entry.reason == "Fair criticism" and entry.target_type == "statement"
    log_page = client.get("/moderation/log").get_data(True)
    assert "Dismissed flags on a statement in a round" in log_page
    assert "The harbour tax is a fraud" not in client.get(QUEUE).get_data(True)


def test_a_moderators_hide_resolves_the_flags_so_none_are_left_to_dismiss(db, area, thread):
    moderator = scoped_moderator(area)
    flagged = _flagged(make_round(thread, moderator))
    statements.hide(moderator, flagged.id, "Spam")
    with pytest.raises(Conflict):
        statements.dismiss_flags(moderator, flagged.id)
    assert db.session.get(Statement, flagged.id).hidden_at is not None
    assert not _log(db, "dismiss_statement_flags")


def test_dismissing_without_open_flags_is_a_clear_conflict(db, client, login, area, thread):
    moderator = scoped_moderator(area)
    statement = make_statement(make_round(thread, moderator), text="Nothing wrong")
    login(moderator)
    response = client.post(f"/rounds/statements/{statement.id}/dismiss-flags",
                           data={"next": QUEUE})
    assert response.status_code == 409 and "no open flags" in response.get_data(True)
    assert not _log(db, "dismiss_statement_flags")


def test_moderators_of_other_areas_neither_see_nor_act(db, client, login, area, other_area,
                                                        thread):
    moderator = scoped_moderator(area)
    held = _held(make_round(thread, moderator, premoderate=True))
    flagged = _flagged(make_round(thread, moderator))
    login(scoped_moderator(other_area))
    page = client.get(QUEUE).get_data(True)
    assert "The quay belongs to everyone" not in page and "Buy cheap watches" not in page
    assert client.post(f"/rounds/statements/{held.id}/approve",
                       data={"next": QUEUE}).status_code == 403
    assert client.post(f"/rounds/statements/{flagged.id}/dismiss-flags",
                       data={"next": QUEUE}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Statement, held.id).status == PostStatus.PENDING
    assert db.session.scalar(select(StatementFlag.resolved_at)) is None
    assert not db.session.scalars(select(ModerationAction)).all()


def test_members_cannot_see_the_queue(db, client, login):
    login(factories.make_user())
    assert client.get(QUEUE).status_code == 403


def test_the_queue_filters_statements_by_area_and_reason(db, client, login, area, other_area,
                                                         thread):
    made = make_round(thread, scoped_moderator(area))
    _flagged(made, text="Spammy statement", reason="spam")
    _flagged(made, text="Rude statement", reason="abusive")
    login(factories.make_admin())
    page = client.get(f"{QUEUE}?reason=abusive").get_data(True)
    assert "Rude statement" in page and "Spammy statement" not in page
    page = client.get(f"{QUEUE}?area={other_area.id}").get_data(True)
    assert "Rude statement" not in page and "Spammy statement" not in page
    page = client.get(f"{QUEUE}?area={area.id}").get_data(True)
    assert "Rude statement" in page and "Spammy statement" in page


def test_next_cannot_send_the_moderator_elsewhere(db, client, login, area, thread):
    moderator = scoped_moderator(area)
    held = _held(make_round(thread, moderator, premoderate=True))
    login(moderator)
    response = client.post(f"/rounds/statements/{held.id}/approve",
                           data={"next": "https://evil.example/"})
    assert "evil.example" not in response.headers["Location"]
