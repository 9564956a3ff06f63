"""Appeals: once per decision, decided by another moderator; overturning undoes it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.exceptions import Conflict, Forbidden
from forum.extensions import db
from forum.models.moderation import Appeal, AppealStatus, ModerationAction
from forum.permissions.core import is_suspended
from forum.services.moderation import appeals, review
from tests import factories
from tests.moderation.conftest import scoped_moderator


def _hide(moderator, post) -> ModerationAction:
    review.hide(moderator, "post", post.id, "Off topic")
    return db.session.scalar(select(ModerationAction).where(
        ModerationAction.action == "hide_post"))


def test_author_appeals_through_the_page(client, login, moderator, author, post):
    entry = _hide(moderator, post)
    login(author)
    response = client.get(f"/moderation/appeal/post/{post.id}")
    assert response.status_code == 302 and f"/appeals/new/{entry.id}" in response.headers[
        "Location"]
    response = client.post(f"/moderation/appeals/new/{entry.id}",
                           data={"text": "It was on topic"})
    assert response.status_code == 302
    appeal = db.session.scalar(select(Appeal))
    assert appeal.appellant_id == author.id and appeal.status == AppealStatus.PENDING


def test_only_one_appeal_per_decision(moderator, author, post):
    entry = _hide(moderator, post)
    appeals.file(author, entry.id, "Please look again")
    with pytest.raises(Conflict):
        appeals.file(author, entry.id, "And again")


def test_others_cannot_appeal_someone_elses_decision(moderator, post):
    entry = _hide(moderator, post)
    with pytest.raises(Forbidden):
        appeals.file(factories.make_user(), entry.id, "Not mine")


def test_the_deciding_moderator_cannot_decide_the_appeal(moderator, author, post):
    appeal = appeals.file(author, _hide(moderator, post).id, "Please")
    with pytest.raises(Forbidden):
        appeals.decide(moderator, appeal.id, True, "I was right")
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.PENDING


def test_moderator_of_another_area_cannot_decide(moderator, other_moderator, author, post):
    appeal = appeals.file(author, _hide(moderator, post).id, "Please")
    with pytest.raises(Forbidden):
        appeals.decide(other_moderator, appeal.id, True, "Looks fine")


def test_another_moderator_overturns_and_the_post_returns(area, moderator, author, post):
    appeal = appeals.file(author, _hide(moderator, post).id, "It was on topic")
    second = scoped_moderator(area)
    appeals.decide(second, appeal.id, True, "It was on topic after all")
    db.session.refresh(post)
    assert post.hidden_at is None
    decided = db.session.get(Appeal, appeal.id)
    assert decided.status == AppealStatus.OVERTURNED and decided.decided_by_id == second.id
    assert db.session.scalar(select(ModerationAction.action).order_by(
        ModerationAction.id.desc())) == "appeal_overturned"


def test_upheld_appeal_keeps_the_decision(global_moderator, moderator, author, post):
    appeal = appeals.file(author, _hide(moderator, post).id, "Please")
    appeals.decide(global_moderator, appeal.id, False, "The post was abusive")
    db.session.refresh(post)
    assert post.hidden_at is not None
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.UPHELD


def test_suspended_member_can_appeal_the_suspension(global_moderator, moderator, author, post):
    review.flag(factories.make_user(), "post", post.id, "abusive")
    review.decide(moderator, "post", post.id, "suspend", "Repeated attacks")
    entry = db.session.scalar(select(ModerationAction).where(
        ModerationAction.action == "suspend_member"))
    appeal = appeals.file(author, entry.id, "I apologise")
    appeals.decide(global_moderator, appeal.id, True, "Apology accepted")
    assert not is_suspended(author)


def test_appeals_appear_in_the_queue(client, login, area, moderator, author, post):
    appeals.file(author, _hide(moderator, post).id, "Please look again")
    login(scoped_moderator(area))
    body = client.get("/moderation/queue").get_data(as_text=True)
    assert author.display_name in body and "appeals" in body


def test_second_appeal_through_the_page_is_not_offered(client, login, moderator, author, post):
    entry = _hide(moderator, post)
    appeals.file(author, entry.id, "First")
    login(author)
    response = client.post(f"/moderation/appeals/new/{entry.id}", data={"text": "Second"})
    assert response.status_code == 200
    assert "You appealed this decision" in response.get_data(as_text=True)
    assert [a.text for a in db.session.scalars(select(Appeal))] == ["First"]


@pytest.mark.parametrize("who, status", [
    ("deciding", 403), ("other_area", 403), ("appellant", 403), ("same_area", 200),
    ("global", 200)])
def test_only_a_moderator_who_may_decide_opens_the_appeal(client, login, area, moderator,
                                                          other_moderator, global_moderator,
                                                          author, post, who, status):
    appeal = appeals.file(author, _hide(moderator, post).id, "Please look again")
    login({"deciding": moderator, "other_area": other_moderator, "appellant": author,
           "same_area": scoped_moderator(area), "global": global_moderator}[who])
    response = client.get(f"/moderation/appeals/{appeal.id}")
    assert response.status_code == status
    assert ("Please look again" in response.get_data(as_text=True)) == (status == 200)


def test_the_queue_links_only_the_appeals_the_moderator_may_decide(client, login, moderator,
                                                                   author, post):
    appeal = appeals.file(author, _hide(moderator, post).id, "Please look again")
    login(moderator)
    body = client.get("/moderation/queue").get_data(as_text=True)
    assert "another moderator must decide this" in body
    assert f"/moderation/appeals/{appeal.id}" not in body
