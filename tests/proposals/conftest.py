"""Deliberation fixtures: proposals in threads and live sessions, made through the service."""
from __future__ import annotations

from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models.base import utcnow
from forum.services.deliberation import proposals
from tests import factories
from tests.live.conftest import (  # noqa: F401 - the live room's fixtures, for session proposals
    live_client,
    live_session,
    make_live_session,
)


def proposal_data(**overrides) -> proposals.ProposalData:
    fields = {"title": "Open the harbour baths all year", "statement": "The city keeps the "
              "harbour baths open **all year**.", "closes_at": utcnow() + timedelta(days=3)}
    fields.update(overrides)
    return proposals.ProposalData(**fields)


def make_proposal(thread=None, author=None, **overrides):
    """A proposal in a thread, opened by a verified member through the service."""
    thread = thread or factories.make_thread()
    author = author or factories.make_user(verified=True)
    return proposals.open_in_thread(author, thread.id, proposal_data(**overrides))


def close_now(proposal) -> None:
    """Let the closing time pass (as the clock would)."""
    proposal.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


@pytest.fixture
def proposal():
    return make_proposal
