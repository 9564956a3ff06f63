"""Plain functions that insert rows for test setup, with unique defaults."""
from __future__ import annotations

import itertools

from forum.extensions import db
from forum.models.accounts import Role, Sector, User
from forum.models.base import utcnow
from forum.services import passwords

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_password_hash: str | None = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = passwords.hash_password(PASSWORD)
    return _password_hash


def make_user(*, role: Role = Role.MEMBER, sector: Sector = Sector.POLITICS,
              verified: bool = False, confirmed: bool = True, **overrides) -> User:
    """A member with the known password; their email address confirmed unless asked not."""
    n = next(_counter)
    fields = {
        "email": f"member{n}@example.org",
        "display_name": f"Member {n}",
        "organisation": "Helsingborgs stad",
        "title": "Kommunalråd",
        "password_hash": _hash(),
        "email_confirmed_at": utcnow() if confirmed else None,
    }
    fields.update(overrides)
    user = User(role=role, sector=sector, verified_at=utcnow() if verified else None, **fields)
    db.session.add(user)
    db.session.commit()
    return user


def login_key(user: User, *, remember: bool = False) -> str:
    """A session record for `user`, as a sign-in makes; returns the key a browser's session
    holds (`session["_user_id"]`)."""
    from flask import g

    from forum.services.security import sessions

    key = sessions.sign_in(user, remember=remember, user_agent="pytest", address="127.0.0.1")
    g.pop("login_session", None)
    return key


def enable_two_factor(user: User) -> str:
    """Turn two-factor sign-in on for `user` directly; returns the TOTP secret."""
    import pyotp

    secret = pyotp.random_base32()
    user.totp_secret, user.two_factor_at = secret, utcnow()
    db.session.commit()
    return secret


def make_moderator(**overrides) -> User:
    return make_user(role=Role.MODERATOR, **overrides)


def make_admin(**overrides) -> User:
    return make_user(role=Role.ADMIN, **overrides)


def focus_area(slug: str = "city-governance"):
    """One of the seeded focus areas (created if missing)."""
    from sqlalchemy import select

    from forum.models.discussion import FocusArea
    from forum.services import seeding

    area = db.session.scalar(select(FocusArea).where(FocusArea.slug == slug))
    if area is None:
        seeding.ensure_focus_areas()
        area = db.session.scalar(select(FocusArea).where(FocusArea.slug == slug))
    return area


def make_topic(area=None, **overrides):
    from forum.models.discussion import Topic, TopicStatus

    n = next(_counter)
    area = area or focus_area()
    fields = {"title": f"Topic {n}", "framing_source": "Why this matters.",
              "framing_html": "<p>Why this matters.</p>", "status": TopicStatus.OPEN}
    fields.update(overrides)
    topic = Topic(focus_area_id=area.id, **fields)
    db.session.add(topic)
    db.session.commit()
    return topic


def make_thread(topic=None, author=None, *, posts: int = 1, **overrides):
    """A thread with an opening post and `posts - 1` replies, inserted directly."""
    from forum.models.discussion import Post, Thread

    n = next(_counter)
    topic = topic or make_topic()
    author = author or make_user()
    thread = Thread(topic_id=topic.id, title=overrides.pop("title", f"Thread {n}"),
                    author_id=author.id, **overrides)
    db.session.add(thread)
    db.session.flush()
    for i in range(1, posts + 1):
        post = Post(thread_id=thread.id, position=i, author_id=author.id,
                    body_source=f"Post {i}", body_html=f"<p>Post {i}</p>")
        db.session.add(post)
        db.session.flush()
        thread.last_post_id, thread.last_poster_id = post.id, author.id
    thread.post_count = thread.last_position = posts
    topic.thread_count += 1
    topic.post_count += posts
    db.session.commit()
    return thread


def make_post(thread, author=None, *, parent=None, **overrides):
    """A reply at the end of `thread`; one that awaits approval (status=PENDING, REJECTED)
    holds no position and is not counted, as the posting service does it."""
    from forum.models.discussion import Post, PostStatus

    author = author or make_user()
    published = overrides.get("status", PostStatus.PUBLISHED) == PostStatus.PUBLISHED
    if published:
        thread.last_position += 1
        thread.post_count += 1
    post = Post(thread_id=thread.id, position=thread.last_position if published else None,
                author_id=author.id,
                parent_id=parent.id if parent else None,
                depth=(parent.depth + 1) if parent else 0,
                body_source=overrides.pop("body_source", "A reply."),
                body_html=overrides.pop("body_html", "<p>A reply.</p>"), **overrides)
    db.session.add(post)
    db.session.flush()
    if published:
        thread.last_post_id, thread.last_poster_id = post.id, author.id
    db.session.commit()
    return post
