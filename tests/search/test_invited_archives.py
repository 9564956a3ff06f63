"""What belongs to an invite-only session (its record, archive, proposals) is indexed for those
who may see the session: its invitees and people, the moderators of its area and admins. Nobody else finds it, not even in
the count; invitations added or withdrawn and a changed visibility count at once."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from forum.extensions import db
from forum.models.accounts import ModeratorScope
from forum.models.live import Invitation, Visibility
from forum.models.search import Audience, SearchEntry
from forum.services import search
from forum.services.discussion import posting
from tests import factories
from tests.live.conftest import make_live_session

WORD = "tunnelbanan"


def found(reader) -> tuple[int, set[str]]:
    results = search.search(reader, WORD)
    return results.total, {h.url for h in results.hits}


@pytest.fixture
def archive(app):
    """An invite-only session with one invitee, its archive thread and a reply in it."""
    invitee = factories.make_user()
    session = make_live_session(visibility=Visibility.INVITE_ONLY, invitees=[invitee],
                                title="Slutet samtal")
    thread = factories.make_thread(topic=session.topic, title="Arkiv: tunnelbanan")
    session.archive_thread_id = thread.id
    db.session.commit()
    reply = posting.reply(invitee, thread.id, "Tunnelbanan kostar för mycket.")
    return session, thread, reply, invitee


def _hits_of(thread, reply) -> set[str]:
    return {f"/threads/{thread.id}", f"/p/{reply.id}"}


def _entries(thread) -> list[tuple[str, int | None]]:
    return list(db.session.execute(select(SearchEntry.audience, SearchEntry.audience_session_id)
                                   .where(SearchEntry.kind.in_(("thread", "post")),
                                          (SearchEntry.object_id == thread.id)
                                          | (SearchEntry.parent_id == thread.id))).all())


def test_those_who_may_see_the_session_find_its_archive(archive):
    session, thread, reply, invitee = archive
    area_moderator = factories.make_moderator()
    db.session.add(ModeratorScope(user_id=area_moderator.id, focus_area_id=session.focus_area_id))
    db.session.commit()
    host = session.people[0].user  # the session's own moderator
    for reader in (invitee, host, area_moderator, factories.make_admin()):
        assert found(reader) == (2, _hits_of(thread, reply)), reader
    assert set(_entries(thread)) == {(Audience.INVITED, session.id)}


def test_nobody_else_finds_it_not_even_in_the_count(archive):
    session, *_ = archive
    elsewhere = factories.make_moderator()
    db.session.add(ModeratorScope(user_id=elsewhere.id,
                                  focus_area_id=factories.focus_area("quality-of-life").id))
    db.session.commit()
    for reader in (None, factories.make_user(), elsewhere):
        assert found(reader) == (0, set()), reader


def test_an_invitation_counts_as_soon_as_it_is_made_or_withdrawn(archive):
    session, thread, reply, invitee = archive
    newcomer = factories.make_user()
    assert found(newcomer)[0] == 0
    db.session.add(Invitation(session_id=session.id, user_id=newcomer.id))
    db.session.commit()
    assert found(newcomer) == (2, _hits_of(thread, reply))
    db.session.execute(delete(Invitation).where(Invitation.session_id == session.id,
                                                Invitation.user_id == invitee.id))
    db.session.commit()
    assert found(invitee) == (0, set())  # the reply is theirs; the archive is closed to them
    assert found(newcomer)[0] == 2


def test_the_archive_follows_the_session_s_visibility(archive):
    session, thread, reply, invitee = archive
    member = factories.make_user()
    session.visibility = Visibility.MEMBERS
    db.session.commit()
    assert set(_entries(thread)) == {(Audience.MEMBERS, None)}
    assert found(member) == (2, _hits_of(thread, reply)) and found(None)[0] == 0
    session.visibility = Visibility.PUBLIC
    db.session.commit()
    assert found(None) == (2, _hits_of(thread, reply))
    session.visibility = Visibility.INVITE_ONLY
    db.session.commit()
    assert set(_entries(thread)) == {(Audience.INVITED, session.id)}
    assert found(None)[0] == 0 and found(member)[0] == 0
    assert found(invitee)[0] == 2


def test_filters_and_other_results_still_apply_to_invitees(archive):
    """The invitee's search is the ordinary one plus the archive: public hits still show,
    and a filter narrows the archive's entries like any others."""
    session, thread, reply, invitee = archive
    public = factories.make_thread(title="Tunnelbanan i Göteborg")
    assert found(invitee) == (3, _hits_of(thread, reply) | {f"/threads/{public.id}"})
    posts = search.search(invitee, WORD, search.Filters(kinds=("post",)))
    assert {h.url for h in posts.hits} == {f"/p/{reply.id}"}


def test_a_rebuilt_index_holds_the_archive_for_its_invitees(archive):
    session, thread, reply, invitee = archive
    search.rebuild()
    assert found(invitee) == (2, _hits_of(thread, reply))
    assert found(factories.make_user())[0] == 0


def test_the_session_record_and_its_proposals_are_found_by_the_same_readers(app):
    from forum.services.deliberation import proposals
    from tests.proposals.conftest import proposal_data

    invitee, host = factories.make_user(), factories.make_moderator()
    session = make_live_session(visibility=Visibility.INVITE_ONLY, invitees=[invitee],
                                moderator=host, title="Slutet samtal om hamnbadet")
    proposal, _events = proposals.open_in_session(host, session.id, proposal_data(
        title="Hamnbadet året runt", statement="Öppna hamnbadet året runt."))
    expected = {f"/live/{session.id}", f"/proposals/{proposal.id}"}
    for reader in (invitee, host, factories.make_admin()):
        results = search.search(reader, "hamnbadet")
        assert (results.total, {h.url for h in results.hits}) == (2, expected), reader
    entries = set(db.session.execute(
        select(SearchEntry.audience, SearchEntry.audience_session_id)
        .where(SearchEntry.kind.in_(("session", "proposal")))).all())
    assert entries == {(Audience.INVITED, session.id)}
    for reader in (None, factories.make_user()):
        assert search.search(reader, "hamnbadet").total == 0, reader
    db.session.execute(delete(Invitation).where(Invitation.user_id == invitee.id))
    db.session.commit()
    assert search.search(invitee, "hamnbadet").total == 0
