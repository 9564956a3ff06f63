"""A thread page issues a bounded number of SQL queries whatever the thread's size."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from forum.models.discussion import Reaction, ReactionKind
from tests import factories

BOUND = 12


@contextmanager
def counted(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def busy_thread(db, posts: int):
    """A thread with nested replies and reactions from several members."""
    thread = factories.make_thread(posts=1)
    people = [factories.make_user() for _ in range(4)]
    parent = db.session.scalars(thread.posts.select()).one()
    for i in range(posts - 1):
        post = factories.make_post(thread, people[i % 4], parent=parent if i % 3 else None)
        parent = post if i % 5 else parent
        for person in people[: i % 4]:
            db.session.add(Reaction(post_id=post.id, user_id=person.id,
                                    kind=list(ReactionKind)[i % 3]))
    db.session.commit()
    return thread


def queries_for(client, db, url) -> int:
    """Queries of one request, made in a fresh app context as in production (new session)."""
    with client.application.app_context(), counted(db.engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("posts", [3, 70])
def test_thread_page_queries_are_bounded(client, member, db, posts):
    thread = busy_thread(db, posts)
    last = -(-posts // 20)
    first_page = queries_for(client, db, f"/threads/{thread.id}?page=1")
    last_page = queries_for(client, db, f"/threads/{thread.id}?page={last}")
    assert first_page <= BOUND and last_page <= BOUND


def test_query_count_does_not_grow_with_thread(client, member, db):
    small, big = busy_thread(db, 4), busy_thread(db, 80)
    assert queries_for(client, db, f"/threads/{small.id}?page=1") == \
        queries_for(client, db, f"/threads/{big.id}?page=1")
    # a later page, whose replies answer posts on earlier pages, costs the same (both measured
    # on a second view, when the read mark is already there)
    queries_for(client, db, f"/threads/{big.id}?page=4")
    assert queries_for(client, db, f"/threads/{big.id}?page=4") == \
        queries_for(client, db, f"/threads/{big.id}?page=1")


def test_reading_a_page_again_writes_nothing(client, member, db):
    thread = busy_thread(db, 30)

    def writes(url):
        with client.application.app_context(), counted(db.engine) as statements:
            assert client.get(url).status_code == 200
        return [s for s in statements if not s.lstrip().upper().startswith("SELECT")]

    assert len(writes(f"/threads/{thread.id}?page=1")) == 1  # the read mark moves forward
    assert writes(f"/threads/{thread.id}?page=1") == []  # read again: nothing to write
    assert writes(f"/threads/{thread.id}?page=2") != []  # further on: it moves again


def test_guest_thread_page_queries_are_bounded(client, db):
    thread = busy_thread(db, 40)
    assert queries_for(client, db, f"/threads/{thread.id}?page=2") <= BOUND
