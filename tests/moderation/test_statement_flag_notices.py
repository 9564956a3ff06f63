"""Members who flagged a round statement hear when a moderator decides on it (hide, restore
or dismiss the flags), with the notice flaggers of posts get, in their own language."""
from __future__ import annotations

import pytest

from forum.services import notifications
from forum.services.deliberation import statements
from forum.services.moderation import review
from tests import factories
from tests.moderation.conftest import scoped_moderator
from tests.notifications.conftest import notices
from tests.rounds.conftest import make_round, make_statement


@pytest.fixture
def case(db, app, area, thread):
    """A statement flagged by an English- and a Swedish-speaking member, and a moderator."""
    moderator = scoped_moderator(area)
    made = make_round(thread, moderator)
    statement = make_statement(made, text="Buy cheap watches here")
    flaggers = [factories.make_user(language="en"), factories.make_user(language="sv")]
    for member in flaggers:
        statements.flag(member, statement.id, "spam")
    return moderator, statement, flaggers


def _decided(member) -> list:
    return notices(member, "flag_reviewed")


DECISIONS = {
    "hide": lambda mod, s: statements.hide(mod, s.id, "Advertising"),
    "dismiss": lambda mod, s: statements.dismiss_flags(mod, s.id, "Not spam"),
    # a statement the flags hid, kept by the moderator: the flags are not upheld
    "restore": lambda mod, s: (statements.hide(mod, s.id, "Checking"),
                               statements.restore(mod, s.id, "Fine after all")),
}


@pytest.mark.parametrize("decision", list(DECISIONS))
def test_each_flagger_hears_once_of_the_decision(case, decision, app):
    moderator, statement, (english, swedish) = case
    DECISIONS[decision](moderator, statement)
    with app.test_request_context():
        (en,) = _decided(english)
        (sv,) = _decided(swedish)
        assert "reviewed the item you flagged" in notifications.worded(en, "en").text
        assert notifications.worded(sv, "sv").text.startswith("En moderator har granskat")
        assert notifications.worded(en, "en").link == f"/rounds/{statement.round_id}"
    assert en.params == {"what": "statement", "statement_id": statement.id,
                         "round_id": statement.round_id}
    assert not _decided(moderator) and not _decided(statement.author)


def test_the_notice_is_the_one_flaggers_of_posts_get(case, area, post, app):
    moderator, statement, (english, _swedish) = case
    review.flag(english, "post", post.id, "spam")
    review.decide(moderator, "post", post.id, "dismiss", "")
    statements.dismiss_flags(moderator, statement.id)
    with app.test_request_context():
        on_post, on_statement = (notifications.worded(n, "en") for n in _decided(english))
    assert on_post.text == on_statement.text
    assert on_post.link.startswith("/p/") and on_statement.link.startswith("/rounds/")


def test_a_later_decision_tells_nobody_again(case):
    moderator, statement, (english, swedish) = case
    statements.hide(moderator, statement.id, "Advertising")
    statements.restore(moderator, statement.id, "Restored")  # no flags are open any more
    assert len(_decided(english)) == 1 and len(_decided(swedish)) == 1


def test_approving_a_held_statement_tells_no_flagger(db, area, thread):
    moderator = scoped_moderator(area)
    made = make_round(thread, moderator, premoderate=True)
    held = statements.submit(factories.make_user(), made.id, "The quay is ours").statement
    statements.approve(moderator, held.id)
    from forum.models.notifications import Notification
    assert not db.session.query(Notification).filter_by(kind="flag_reviewed").count()
