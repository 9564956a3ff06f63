"""Fixtures for the discussion tests: a member signed in on `client`, and row counters."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db as _db
from tests import factories


@pytest.fixture
def member(login):
    """A verified member with a role line, signed in."""
    return login(factories.make_user(verified=True, display_name="Signed In",
                                     title="Deputy mayor", organisation="Helsingborg"))


def count(model, *where) -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture(autouse=True)
def english(client):
    """These tests read English text on pages; the default language is Swedish."""
    client.set_cookie("radslag_lang", "en")
