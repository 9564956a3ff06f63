"""Counts and positions stay exact when many members post at the same moment."""
import threading

from sqlalchemy import func, select

from forum.models.accounts import User
from forum.models.discussion import Post, Thread, Topic
from forum.services.discussion import posting
from tests import factories

WORKERS, EACH = 6, 5


def run_concurrently(app, work) -> list[BaseException]:
    """Run work(i) in WORKERS threads, each with its own app context and session."""
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def worker(i: int) -> None:
        try:
            with app.app_context():
                start.wait()
                work(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_simultaneous_replies_get_distinct_positions_and_exact_counts(app, db):
    thread = factories.make_thread(posts=1)
    user_ids = [factories.make_user(verified=True).id for _ in range(WORKERS)]
    thread_id, topic_id = thread.id, thread.topic_id

    def post_replies(i: int) -> None:
        user = db.session.get(User, user_ids[i])
        for n in range(EACH):
            posting.reply(user, thread_id, f"Reply {i}-{n}")

    assert run_concurrently(app, post_replies) == []
    db.session.expire_all()
    total = 1 + WORKERS * EACH
    positions = db.session.scalars(select(Post.position).where(Post.thread_id == thread_id)
                                   .order_by(Post.position)).all()
    assert positions == list(range(1, total + 1))
    stored = db.session.get(Thread, thread_id)
    assert stored.post_count == total and stored.last_position == total
    last = db.session.scalar(select(func.max(Post.id)).where(Post.thread_id == thread_id))
    assert stored.last_post_id == last
    assert db.session.get(Topic, topic_id).post_count == total


def test_simultaneous_new_threads_are_all_counted(app, db):
    topic = factories.make_topic()
    user_ids = [factories.make_user(verified=True).id for _ in range(WORKERS)]
    topic_id = topic.id

    def start_threads(i: int) -> None:
        user = db.session.get(User, user_ids[i])
        for n in range(2):
            posting.start_thread(user, topic_id, f"Thread {i}-{n}", "Opening")

    assert run_concurrently(app, start_threads) == []
    db.session.expire_all()
    stored = db.session.get(Topic, topic_id)
    assert stored.thread_count == WORKERS * 2 and stored.post_count == WORKERS * 2
