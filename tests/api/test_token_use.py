"""A token's last-used time: kept to the minute, so a busy client does not write the token's
row (and commit) on every GET."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from forum.extensions import db
from forum.models.accounts import AccessToken
from forum.models.base import utcnow


def _last_used(token_id: int):
    db.session.expire_all()
    return db.session.scalar(select(AccessToken.last_used_at).where(AccessToken.id == token_id))


@pytest.fixture
def token_writes(app):
    """The statements that write access_tokens, as they run."""
    writes: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE ACCESS_TOKENS"):
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    yield writes
    event.remove(engine, "before_cursor_execute", seen)


def test_a_token_records_its_last_use_at_most_once_a_minute(api, world, token_for,
                                                            token_writes):
    secret = token_for(world.other, "read")
    token_id = db.session.scalar(select(AccessToken.id).where(AccessToken.user_id
                                                              == world.other.id))
    assert _last_used(token_id) is None
    writes = token_writes
    url = f"/api/v1/threads/{world.thread.id}/posts"

    assert api("GET", url, token=secret).status_code == 200
    first = _last_used(token_id)
    assert first is not None and utcnow() - first < timedelta(seconds=30)
    assert len(writes) == 1

    for _ in range(3):  # within the minute: read, not written
        assert api("GET", url, token=secret).status_code == 200
    assert len(writes) == 1 and _last_used(token_id) == first

    db.session.execute(AccessToken.__table__.update().where(AccessToken.id == token_id)
                       .values(last_used_at=first - timedelta(minutes=2)))
    db.session.commit()  # (that UPDATE is counted too)
    assert api("GET", url, token=secret).status_code == 200  # a minute on: written again
    assert len(writes) == 3 and _last_used(token_id) >= first
