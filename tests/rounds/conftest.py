"""Statement-round fixtures: rounds made through the service, members of every sector."""
from __future__ import annotations

from datetime import timedelta

from forum.extensions import db
from forum.models.accounts import Sector
from forum.models.base import utcnow
from forum.services.deliberation import rounds, statements
from tests import factories
from tests.live.conftest import make_live_session  # noqa: F401 - for session rounds


def round_data(**overrides) -> rounds.RoundData:
    fields = {"question": "How should the harbour area develop?",
              "closes_at": utcnow() + timedelta(days=3)}
    fields.update(overrides)
    return rounds.RoundData(**fields)


def make_round(thread=None, moderator=None, **overrides):
    thread = thread or factories.make_thread()
    moderator = moderator or factories.make_moderator()
    return rounds.open_in_thread(moderator, thread.id, round_data(**overrides))


def make_statement(round_, author=None, text=None):
    author = author or factories.make_user()
    return statements.submit(author, round_.id, text or f"Statement by {author.display_name}"
                             ).statement


def members(n: int, sector=None) -> list:
    sectors = list(Sector)
    return [factories.make_user(sector=sector or sectors[i % len(sectors)]) for i in range(n)]


def close_now(round_) -> None:
    round_.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
