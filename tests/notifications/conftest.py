"""Fixtures for the notification tests: a topic, members, and reading what was stored."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db as _db
from forum.models.notifications import Notification
from tests import factories


@pytest.fixture
def topic(app):
    return factories.make_topic(title="Parkering i centrum")


@pytest.fixture
def anna(app):
    return factories.make_user(display_name="Anna Berg", language="en")


@pytest.fixture
def karin(app):
    return factories.make_user(display_name="Karin Lund", language="sv")


def notices(user, kind: str | None = None) -> list[Notification]:
    """The member's stored notices, oldest first."""
    _db.session.expire_all()
    query = select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(_db.session.scalars(query.order_by(Notification.id)))


@pytest.fixture
def english(client):
    client.set_cookie("radslag_lang", "en")
