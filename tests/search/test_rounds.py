"""Statement rounds and their statements in search: published statements are found, pending
and hidden ones are not, rounds in invite-only sessions only by those who may see them, and statements made under
the Chatham House Rule carry no author."""
from __future__ import annotations

from forum.models.live import Attribution, Visibility
from forum.services import search
from forum.services.deliberation import rounds, statements
from tests import factories
from tests.live.conftest import make_live_session
from tests.rounds.conftest import make_round, make_statement, round_data


def hits(q, reader=None):
    return search.search(reader, q, search.Filters()).hits


def test_a_round_and_its_published_statements_are_found(app):
    round_ = make_round(question="Hur ska kajen användas?")
    statement = make_statement(round_, text="Kajen ska vara öppen för alla cyklister")
    assert {h.kind for h in hits("kajen")} == {"round", "statement"}
    assert {h.url for h in hits("cyklister")} == {f"/rounds/{round_.id}"}
    assert hits("cyklister")[0].author is not None
    assert statement.id


def test_hidden_and_pending_statements_are_not_found(app):
    moderator = factories.make_moderator()
    round_ = make_round(moderator=moderator)
    statement = make_statement(round_, text="Fler sittplatser vid Knutpunkten")
    assert len(hits("sittplatser")) == 1
    statements.hide(moderator, statement.id, "Off topic")
    assert hits("sittplatser") == []
    statements.restore(moderator, statement.id)
    assert len(hits("sittplatser")) == 1
    held = factories.make_user()
    premoderated = make_round(moderator=moderator, premoderate=True)
    statements.submit(held, premoderated.id, "Väntande påstående om parkering")
    assert hits("parkering") == []


def test_rounds_in_an_invite_only_session_show_only_to_those_who_may_see_it(app):
    invitee = factories.make_user()
    moderator = factories.make_moderator()
    session = make_live_session(visibility=Visibility.INVITE_ONLY, invitees=[invitee],
                                moderator=moderator)
    round_ = rounds.open_in_session(moderator, session.id,
                                    round_data(question="Hemlig fråga om budgeten"))
    make_statement(round_, author=invitee, text="Hemligt påstående om budgeten")
    for reader in (invitee, moderator):
        assert {h.kind for h in hits("budgeten", reader)} == {"round", "statement"}, reader
    for reader in (None, factories.make_user()):
        assert hits("budgeten", reader) == []
        assert search.search(reader, "budgeten", search.Filters()).total == 0


def test_statements_in_a_chatham_house_session_carry_no_author(app):
    member = factories.make_user()
    moderator = factories.make_moderator()
    session = make_live_session(attribution=Attribution.SECTOR_ONLY, moderator=moderator)
    round_ = rounds.open_in_session(moderator, session.id,
                                    round_data(question="Hur når vi unga?"))
    make_statement(round_, author=member, text="Skolorna ska bjuda in till stadsvandringar")
    found = hits("stadsvandringar")
    assert len(found) == 1 and found[0].author is None
