"""Fixtures for moderation tests: two focus areas, a thread, and moderators scoped to each."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models.accounts import ModeratorScope
from tests import factories


def scoped_moderator(area, **overrides):
    """A moderator who looks after `area` only."""
    mod = factories.make_moderator(verified=True, **overrides)
    db.session.add(ModeratorScope(user_id=mod.id, focus_area_id=area.id))
    db.session.commit()
    return mod


@pytest.fixture
def area(db):
    return factories.focus_area("city-governance")


@pytest.fixture
def other_area(db):
    return factories.focus_area("quality-of-life")


@pytest.fixture
def author(db):
    return factories.make_user(verified=True)


@pytest.fixture
def thread(area, author):
    return factories.make_thread(factories.make_topic(area), author, posts=3)


@pytest.fixture
def post(thread):
    from sqlalchemy import select

    from forum.models.discussion import Post

    return db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                Post.position == 2))


@pytest.fixture
def moderator(area):
    return scoped_moderator(area)


@pytest.fixture
def other_moderator(other_area):
    return scoped_moderator(other_area)


@pytest.fixture
def global_moderator(db):
    return factories.make_moderator(verified=True)


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so assertions on wording hold whatever the default language is."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
