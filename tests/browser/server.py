"""The app as a browser sees it: a prepared SQLite database and `serve.py` on a loopback port.

`python -m tests.browser.server prepare FACTS.json` (with FORUM_DATABASE_URL set) builds the
schema, adds the demo forum (`forum seed --demo`) plus the few things every kind of page needs
(an edited post, an appeal, live sessions), and writes the ids the tests visit to FACTS.json.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "rådslag-demo-lösenord"  # the demo cast's password (forum.services.demo.people)
DEMO_DOMAIN = "demo.radslag.test"
SERVER_SECRET = "browser-tests-only"  # FORUM_SECRET_KEY of the served app
FLOW_SESSION_TITLE = "Rundabordssamtal: unga i arbete"  # started and ended by the live flow


def demo_email(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`python serve.py` (gevent, Socket.IO) on a free port, with its own database and log."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.env = {**os.environ,
                    "FORUM_DATABASE_URL": f"sqlite:///{workdir / 'browser.sqlite3'}",
                    "FORUM_SECRET_KEY": SERVER_SECRET,
                    "FORUM_DEFAULT_LANGUAGE": "sv",
                    "FORUM_JOBS_SQLITE_PATH": str(workdir / "jobs.sqlite3"),
                    "PYTHONPATH": str(ROOT)}
        for key in ("FORUM_REDIS_URL", "FORUM_ASYNC_MODE"):
            self.env.pop(key, None)
        self.process: subprocess.Popen | None = None
        self.facts: dict = {}

    def prepare(self) -> None:
        facts_path = self.workdir / "facts.json"
        done = subprocess.run([sys.executable, "-m", "tests.browser.server", "prepare",
                               str(facts_path)], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError("Preparing the browser-test database failed:\n" + done.stdout
                               + done.stderr)
        self.facts = json.loads(facts_path.read_text())

    def start(self) -> None:
        with self.log_path.open("w") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                [sys.executable, "serve.py", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("serve.py exited:\n" + self.log_path.read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("serve.py did not listen within 30 s:\n" + self.log_path.read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the preparation step (runs in its own process, never under gevent) ----------------------

def _prepare(facts_path: Path) -> None:
    from forum import create_app
    from forum.extensions import db

    app = create_app()
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["forum", "seed", "--demo"])
        if result.exit_code != 0:
            raise SystemExit(result.output + repr(result.exception))
        _add_page_material()
        facts = _facts()
        db.session.remove()
    facts_path.write_text(json.dumps(facts, indent=2))


def _user(key: str):
    from forum.services import accounts

    return accounts.find_by_email(demo_email(key))


def _add_page_material() -> None:
    """What the demo may lack but a page kind needs: an edited post, an appeal, live sessions."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models.discussion import Post, PostStatus, Revision
    from forum.models.moderation import Appeal, ModerationAction
    from forum.services.discussion import posting
    from forum.services.moderation import appeals

    if db.session.scalar(select(Revision.id).limit(1)) is None:
        post = db.session.scalar(select(Post).where(Post.status == PostStatus.PUBLISHED,
                                                    Post.hidden_at.is_(None)).order_by(Post.id))
        posting.edit_post(post.author, post.id, post.body_source + "\n\nTillägg: protokollet "
                             "finns nu på stadens webbplats.")
    if db.session.scalar(select(Appeal.id).limit(1)) is None:
        hidden = db.session.scalar(select(Post).where(Post.hidden_at.is_not(None)))
        entry = db.session.scalar(select(ModerationAction).where(
            ModerationAction.action == "hide_post", ModerationAction.target_type == "post",
            ModerationAction.target_id == hidden.id)) if hidden else None
        if entry is not None:
            appeals.file(hidden.author, entry.id, "Jag menade inget personangrepp, bara kritik "
                         "av beslutet.")
    _hide_one_more()
    _add_live_sessions()
    _add_two_factor_member()
    _add_unconfirmed_member()
    _add_failed_job()


TWO_FACTOR_KEY = "tvafaktor"  # a member with two-factor sign-in, for the sign-in pages


def _add_two_factor_member() -> None:
    """A member with two-factor sign-in on (the secret goes into the facts, for the code)."""
    import pyotp

    from forum.extensions import db
    from forum.models.accounts import Sector, User
    from forum.models.base import utcnow
    from forum.services import passwords

    if _user(TWO_FACTOR_KEY) is not None:
        return
    db.session.add(User(email=demo_email(TWO_FACTOR_KEY), display_name="Tove Fahlén",
                        sector=Sector.CIVIL_SERVICE, organisation="Helsingborgs stad",
                        title="Säkerhetssamordnare", password_hash=passwords.hash_password(
                            DEMO_PASSWORD), totp_secret=pyotp.random_base32(),
                        two_factor_at=utcnow(), email_confirmed_at=utcnow()))
    db.session.commit()


UNCONFIRMED_KEY = "obekraftad"  # a new member who has not confirmed the email address


def _add_unconfirmed_member() -> None:
    from forum.services import accounts

    if _user(UNCONFIRMED_KEY) is None:
        accounts.register(demo_email(UNCONFIRMED_KEY), DEMO_PASSWORD, accounts.Profile(
            "Nils Nyström", "resident"))


def _link_tokens() -> dict:
    """A reset link for Omar and a confirmation link for the unconfirmed member."""
    from forum.services.security import confirmation, password_reset

    return {"reset_token": password_reset.token_for(_user("omar")),
            "confirm_token": confirmation.token_for(_user(UNCONFIRMED_KEY))}


def _add_failed_job() -> None:
    """A job that used up its retries, for the admin's jobs page."""
    from forum.services import jobs

    jobs.record_failure("forum.services.mail.sending.deliver_to_address",
                        ["ops@example.org", "test_message", None, {}], {},
                        ConnectionRefusedError(111, "Connection refused"))


def _hide_one_more() -> None:
    """A second hidden post, so its author has a decision not yet appealed."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models.discussion import Post, PostStatus
    from forum.services.moderation import review

    mod = _user("mod")
    post = db.session.scalar(select(Post).where(
        Post.status == PostStatus.PUBLISHED, Post.hidden_at.is_(None), Post.position > 1,
        Post.author_id != mod.id).order_by(Post.id.desc()))
    review.hide(mod, "post", post.id, "Uppgifter om en enskild person.")


def _add_live_sessions() -> None:
    """The browser flows' own upcoming session (moderated by the demo moderator), and the demo's
    upcoming one if the demo made none."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models.base import utcnow
    from forum.models.discussion import Topic
    from forum.models.live import LiveSession, SessionStatus
    from forum.services.live import sessions as live_sessions

    topic = db.session.scalar(select(Topic).order_by(Topic.id))
    start = utcnow() + timedelta(minutes=5)
    titles = [FLOW_SESSION_TITLE]
    if db.session.scalar(select(LiveSession.id).where(
            LiveSession.status == SessionStatus.SCHEDULED)) is None:
        titles.append("Öppen frågestund: trygghet i centrum")
    for title in titles:
        live_sessions.create(_user("mod"), live_sessions.SessionData(
            title=title, topic_id=topic.id, starts_at=start, ends_at=start + timedelta(hours=1),
            description="Kommunstyrelsens ordförande svarar på frågor om tryggheten i centrum.",
            moderators=[demo_email("mod")]))


def _facts() -> dict:
    """Ids of one thing of each kind, for the URLs the tests visit."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models.accounts import User
    from forum.models.discussion import FocusArea, Post, PostStatus, Revision, Topic
    from forum.models.live import LiveSession, SessionStatus
    from forum.models.moderation import Appeal, Flag, ModerationAction
    from forum.services.mail import preferences

    def first(stmt):
        return db.session.scalar(stmt.limit(1))

    visible_post = first(select(Post).where(Post.status == PostStatus.PUBLISHED,
                                            Post.hidden_at.is_(None), Post.position > 1)
                         .order_by(Post.id))
    flag = first(select(Flag).order_by(Flag.id))
    appeal = first(select(Appeal).order_by(Appeal.id))
    revised = first(select(Post).join(Revision, Revision.post_id == Post.id).order_by(Revision.id))
    unappealed = first(select(ModerationAction).where(
        ModerationAction.action == "hide_post",
        ModerationAction.id.not_in(select(Appeal.action_id))).order_by(ModerationAction.id))
    sessions = {status.value: first(select(LiveSession.id).where(
        LiveSession.status == status, LiveSession.title != FLOW_SESSION_TITLE).order_by(LiveSession.id))
                for status in SessionStatus}
    sessions["flow"] = first(select(LiveSession.id).where(LiveSession.title == FLOW_SESSION_TITLE))
    return {
        "area_slugs": list(db.session.scalars(select(FocusArea.slug).order_by(FocusArea.position))),
        "topic_id": first(select(Topic.id).order_by(Topic.id)),
        "thread_id": visible_post.thread_id if visible_post else None,
        "post_id": visible_post.id if visible_post else None,
        "revised_post_id": revised.id if revised else None,
        "flag_target": [flag.target_type, flag.target_id] if flag else None,
        "appeal_id": appeal.id if appeal else None,
        "unappealed": {"action_id": unappealed.id, "post_id": unappealed.target_id}
        if unappealed else None,
        "live_session_ids": sessions,
        "emails": {"reviser": revised.author.email if revised else None,
                   "unconfirmed": demo_email(UNCONFIRMED_KEY),
                   "unappealed": db.session.get(User, unappealed.subject_user_id).email
                   if unappealed else None},
        "users": {key: _user(key).id for key in ("anna", "omar", "sara", "mod", "admin")},
        **_link_tokens(),
        "two_factor": {"email": demo_email(TWO_FACTOR_KEY),
                       "secret": _user(TWO_FACTOR_KEY).totp_secret},
        "deliberation": _deliberation_facts(),
        "rounds": _round_facts(),
        "unsubscribe_token": preferences.unsubscribe_token(_user("omar").id, "replies"),
    }


def _deliberation_facts() -> dict:
    """The demo's proposals (open in a thread, closed with an outcome, in the live session)
    and a commitment with its owner."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models.deliberation import Commitment, Proposal

    rows = db.session.scalars(select(Proposal).order_by(Proposal.id)).all()
    open_one = next(p for p in rows if p.thread_id and p.is_open())
    closed = next(p for p in rows if p.outcome is not None)
    in_session = next(p for p in rows if p.live_session_id)
    owned = db.session.scalar(select(Commitment).where(Commitment.outcome_id.is_not(None))
                              .order_by(Commitment.id))
    return {"open": open_one.id, "open_thread": open_one.thread_id, "closed": closed.id,
            "in_session": in_session.id, "session": in_session.live_session_id,
            "commitment": owned.id, "owner": owned.owner.email}


def _round_facts() -> dict:
    """The demo's statement round and the thread it is in."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models.rounds import Round

    made = db.session.scalar(select(Round).order_by(Round.id))
    return {"round": made.id, "thread": made.thread_id}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        _prepare(Path(sys.argv[2]))
    else:
        raise SystemExit("usage: python -m tests.browser.server prepare FACTS.json")
