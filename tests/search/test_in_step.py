"""The index follows the content in the same transaction: create, edit, hide, restore,
delete, merge, move, erasure; and what a reader may not see never shows, not in counts."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models.discussion import PostStatus
from forum.models.live import Question, QuestionStatus, SessionStatus, Visibility
from forum.models.search import SearchEntry
from forum.services import privacy, search
from forum.services.discussion import curation, posting
from forum.services.moderation import review, thread_actions
from tests import factories
from tests.live.conftest import make_live_session
from tests.proposals.conftest import make_proposal


def urls(q, reader=None, **filters) -> set[str]:
    return {h.url for h in search.search(reader, q, search.Filters(**filters)).hits}


def total(q, reader=None, **filters) -> int:
    return search.search(reader, q, search.Filters(**filters)).total


@pytest.fixture
def thread(app):
    return factories.make_thread(title="Hamnens framtid")


@pytest.fixture
def moderator(app):
    return factories.make_moderator()


def test_a_reply_is_found_at_once_and_an_edit_replaces_its_words(thread):
    post = posting.reply(thread.author, thread.id, "Vi behöver fler badplatser.")
    assert urls("badplatser") == {f"/p/{post.id}"}
    posting.edit_post(thread.author, post.id, "Vi behöver fler cykelparkeringar.")
    assert urls("badplatser") == set()
    assert urls("cykelparkeringar") == {f"/p/{post.id}"}


def test_a_rolled_back_change_leaves_the_index_alone(thread):
    post = posting.reply(thread.author, thread.id, "Grönare torg.")
    post.body_html = "<p>Gråare torg.</p>"
    db.session.flush()
    db.session.rollback()
    assert urls("grönare") == {f"/p/{post.id}"} and urls("gråare") == set()


def test_hide_and_restore(thread, moderator):
    post = posting.reply(thread.author, thread.id, "Stadsbiblioteket borde ha öppet på natten.")
    review.hide(moderator, "post", post.id, "Off topic")
    for reader in (None, thread.author, moderator):
        assert urls("stadsbiblioteket", reader) == set()
        assert total("stadsbiblioteket", reader) == 0
    review.restore(moderator, "post", post.id, "Fine after all")
    assert urls("stadsbiblioteket") == {f"/p/{post.id}"}


def test_a_hidden_thread_takes_its_posts_out(thread, moderator):
    post = posting.reply(thread.author, thread.id, "Färjeläget behöver en ny terminal.")
    review.hide(moderator, "thread", thread.id, "Duplicate")
    assert total("färjeläget") == 0 and total("hamnens") == 0
    review.restore(moderator, "thread", thread.id)
    assert urls("färjeläget") == {f"/p/{post.id}"}
    assert total("hamnens") == 1


def test_deleted_pending_and_rejected_posts_never_show(thread, moderator):
    deleted = posting.reply(thread.author, thread.id, "Fontänen på torget är trasig.")
    posting.delete_post(thread.author, deleted.id)
    pending = factories.make_post(thread, status=PostStatus.PENDING,
                                  body_source="Fontänen igen", body_html="<p>Fontänen igen</p>")
    assert total("fontänen") == 0
    assert total("fontänen", pending.author) == 0  # not even to its author
    review.approve(moderator, pending.id)
    assert urls("fontänen") == {f"/p/{pending.id}"}


def test_merge_moves_the_posts_and_drops_the_merged_thread(thread, moderator):
    other = factories.make_thread(title="Småbåtshamnen", topic=thread.topic)
    moved = posting.reply(other.author, other.id, "Bryggorna ruttnar i småbåtshamnen.")
    thread_actions.merge(moderator, other.id, thread.id)
    assert urls("småbåtshamnen") == {f"/p/{moved.id}"}  # the emptied thread is not a hit
    entry = db.session.scalar(select(SearchEntry).where(SearchEntry.kind == "post",
                                                        SearchEntry.object_id == moved.id))
    assert entry.parent_id == thread.id
    thread_actions.unmerge(moderator, other.id)
    assert f"/threads/{other.id}" in urls("småbåtshamnen")


def test_move_carries_the_thread_and_its_posts_to_the_new_area(thread, moderator):
    post = posting.reply(thread.author, thread.id, "Kajen vid Norra hamnen.")
    old_area = thread.topic.focus_area
    new_area = factories.focus_area("quality-of-life")
    target = factories.make_topic(new_area)
    thread_actions.move(moderator, thread.id, target.id)
    assert urls("kajen", area=new_area) == {f"/p/{post.id}"}
    assert urls("kajen", area=old_area) == set()
    assert urls("framtid", area=new_area) == {f"/threads/{thread.id}"}


def test_erasure_takes_the_member_out_of_the_author_filters(app):
    member = factories.make_user(verified=True, display_name="Greta Gran")
    thread = factories.make_thread(author=member, title="Trygghet i Dalhem")
    post = posting.reply(member, thread.id, "Belysningen i Dalhem måste bli bättre.")
    assert urls("belysningen", verified=True) == {f"/p/{post.id}"}
    privacy.erase_account(member, factories.PASSWORD)
    assert urls("belysningen", verified=True) == set()
    hit = search.search(None, "belysningen").hits[0]
    assert hit.author.display_name == "Tidigare medlem · Former member"
    assert "Greta" not in hit.excerpt + hit.title


def test_topic_edits_follow(app):
    moderator = factories.make_moderator()
    area = factories.focus_area()
    topic = curation.create_topic(moderator, area.slug, "Bostäder åt alla", "Hur bygger vi?")
    assert urls("bostäder") == {f"/topics/{topic.id}"}
    curation.edit_topic(moderator, topic.id, "Hyresrätter åt alla", "Hur bygger vi?")
    assert urls("bostäder") == set() and urls("hyresrätter") == {f"/topics/{topic.id}"}


def test_sector_and_verified_filters(thread):
    business = factories.make_user(sector="business", verified=True)
    resident = factories.make_user(sector="resident")
    one = posting.reply(business, thread.id, "Näringslivet vill investera i hamnen.")
    two = posting.reply(resident, thread.id, "Jag vill också investera i hamnen.")
    assert urls("investera") == {f"/p/{one.id}", f"/p/{two.id}"}
    assert urls("investera", sector="business") == {f"/p/{one.id}"}
    assert urls("investera", verified=True) == {f"/p/{one.id}"}
    assert urls("investera", kinds=("thread",)) == set()


# --- live sessions and proposals -----------------------------------------------------------


def test_a_members_only_session_shows_to_members_only(app):
    session = make_live_session(visibility=Visibility.MEMBERS, title="Medlemsmöte om skolor")
    member = factories.make_user()
    assert total("skolor") == 0
    assert urls("skolor", member) == {f"/live/{session.id}"}
    session.visibility = Visibility.INVITE_ONLY
    db.session.commit()
    assert total("skolor", member) == 0


def test_a_session_record_holds_its_questions_once_it_has_ended(app):
    session = make_live_session(title="Rundabord om äldreomsorg")
    asker = factories.make_user()
    db.session.add(Question(session_id=session.id, author_id=asker.id, sector=asker.sector,
                            body="Hur kortar vi köerna till hemtjänsten?",
                            status=QuestionStatus.ANSWERED))
    db.session.add(Question(session_id=session.id, author_id=asker.id, sector=asker.sector,
                            body="Hemlig fråga om hemtjänsten", status=QuestionStatus.HIDDEN))
    db.session.commit()
    assert total("köerna") == 0  # not yet: the session is on
    session.status = SessionStatus.ENDED
    db.session.commit()
    assert urls("köerna") == {f"/live/{session.id}"}
    assert total("hemlig") == 0


def test_proposals_are_found_and_follow_their_thread(thread, moderator):
    proposal = make_proposal(thread=thread, title="Bilfritt Stortorget")
    assert urls("bilfritt") == {f"/proposals/{proposal.id}"}
    review.hide(moderator, "thread", thread.id, "Duplicate")
    assert total("bilfritt") == 0
