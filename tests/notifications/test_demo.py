"""The demo: members follow things and have notices, and the outbox holds a digest."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.models.notifications import Notification, Subscription
from forum.services.demo import people
from tests.auth.mailbox import outbox


def test_demo_members_follow_things_have_notices_and_a_digest_is_in_the_outbox(demo_forum, app, db):
    anna = people.ensure_people() or db.session.scalar(
        select(people.User).where(people.User.email == people.email_for("anna")))
    kinds = set(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == anna.id)))
    assert {"mention", "reply"} <= kinds
    assert db.session.scalar(select(func.count(Subscription.id))) >= 4
    digests = [m for m in outbox(app) if "daily digest" in m["Subject"].lower()
               or "dagliga sammanfattning" in m["Subject"].lower()]
    assert len(digests) == 1
    assert "/unsubscribe/" in digests[0]["List-Unsubscribe"]
