"""Many signed-in members writing at once through real server processes, and the audit that
follows: every write answered with success is stored exactly once, every refused one is not
stored at all, and the counters equal a recount of the rows.

Each member is a thread with its own HTTP session (a real sign-in session record and its
signed cookie, as a browser holds after signing in) and its own websocket on `/live`. Every
write carries a token of its own (`pf-<member>-<n>`) in the text it stores, or is otherwise
identifiable (a reaction, a ballot, an upvote: at most one per member and item), so the audit
can find it again. Writes are HTTP form posts (reply, edit, react, flag, follow) and Socket.IO events
(vote in a live poll, upvote a question, chat). Adding a kind of write is one entry in ACTIONS
(and its audit in `audit`).

Used by tests/proof/test_concurrency.py and bench/concurrency_bench.py."""
from __future__ import annotations

import html
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import requests
import socketio
from flask import session as flask_session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from forum.extensions import db
from forum.models.accounts import Sector
from forum.models.base import utcnow
from forum.models.discussion import Post, PostStatus, Reaction, Revision, Thread, Topic
from forum.models.live import (
    Ballot,
    LiveEvent,
    LiveSession,
    Poll,
    Question,
    QuestionVote,
    SessionPerson,
    SessionRole,
    SessionStatus,
    Visibility,
)
from forum.models.moderation import Flag
from forum.models.notifications import Subscription
from tests import factories

# The first error message of a refused form or an error page.
WHY = re.compile(r'(?s)class="(?:field__error|form-errors)"[^>]*>(?:\s*<p>)?(.*?)<|<h1[^>]*>(.*?)</h1>')
TOKEN = re.compile(r"pf-\d+-\d+")
REASONS_HTTP = {400: "invalid", 403: "forbidden", 404: "not_found", 409: "conflict",
                413: "too_large", 429: "rate_limited"}
SECTORS = list(Sector)
RETRY_PAUSE = 0.25  # seconds a member waits after a write that got no answer


@dataclass
class Attempt:
    """One write and its answer. outcome: ok, refused (with reason), error (5xx: reason is
    the status) or unanswered (no answer: timeout or a dropped connection)."""

    kind: str
    member: int  # index into World.members
    token: str | None
    target: int | None
    outcome: str = "unanswered"
    reason: str = ""
    ms: float = 0.0
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    """What the members write in: threads, a live session with open polls and questions."""

    topic_id: int
    thread_ids: list[int]
    seed_post_ids: list[int]
    session_id: int
    poll_ids: list[int]
    poll_choices: int
    question_ids: list[int]
    members: list[tuple[int, str, str]]  # (user id, session cookie, CSRF token)
    topic_posts_before: int
    # Posts written during the run, shared among members to react to and flag.
    posts: list[int] = field(default_factory=list)


def build_world(app, n_members: int, *, threads: int = 3, polls: int = 4,
                questions: int = 6, session_id: int | None = None) -> World:
    """Rows inserted directly: a topic with `threads` threads, a live public session with its
    polls and questions, and `n_members` verified members, each signed in (a session record
    and the signed cookie and CSRF token a browser would hold). Call inside an app context
    whose SECRET_KEY is the servers'."""
    author = factories.make_user(verified=True)
    topic = factories.make_topic()
    thread_list = [factories.make_thread(topic, author, posts=3) for _ in range(threads)]
    seed_posts = list(db.session.scalars(select(Post.id).where(
        Post.thread_id.in_([t.id for t in thread_list]))))
    moderator = factories.make_moderator(verified=True)
    start = utcnow() - timedelta(minutes=5)
    live = LiveSession(id=session_id, focus_area_id=topic.focus_area_id, topic_id=topic.id,
                       created_by_id=moderator.id, title="Proof roundtable",
                       description_source="Agenda", description_html="<p>Agenda</p>",
                       starts_at=start, ends_at=start + timedelta(hours=2),
                       visibility=Visibility.PUBLIC, status=SessionStatus.LIVE)
    db.session.add(live)
    db.session.flush()
    live.people.append(SessionPerson(user_id=moderator.id, role=SessionRole.MODERATOR))
    poll_rows = [Poll(session_id=live.id, question=f"Poll {n}?", choices=["yes", "no", "later"])
                 for n in range(polls)]
    question_rows = [Question(session_id=live.id, author_id=moderator.id,
                              sector=moderator.sector, body=f"Question {n}")
                     for n in range(questions)]
    db.session.add_all(poll_rows + question_rows)
    db.session.commit()
    members = []
    for n in range(n_members):
        user = factories.make_user(verified=True, sector=SECTORS[n % len(SECTORS)])
        members.append((user.id, *_signed_in(app, user)))
    topic_posts = db.session.scalar(select(Topic.post_count).where(Topic.id == topic.id))
    return World(topic.id, [t.id for t in thread_list], seed_posts, live.id,
                 [p.id for p in poll_rows], 3, [q.id for q in question_rows], members,
                 topic_posts)


def _signed_in(app, user) -> tuple[str, str]:
    """The session cookie and CSRF token of a browser that has just signed in as `user`."""
    key = factories.login_key(user)
    # An app context of its own: generate_csrf keeps its token in `g`, which would be shared.
    with app.app_context(), app.test_request_context():
        flask_session["_user_id"], flask_session["_fresh"] = key, True
        csrf = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(flask_session))
    return cookie, csrf


# --- The members -----------------------------------------------------------------------------


class Member(threading.Thread):
    """One signed-in member writing as fast as answers come, until `stop` is set."""

    def __init__(self, index: int, world: World, urls: list[str], stop: threading.Event,
                 rng: random.Random, cookie_name: str) -> None:
        super().__init__(daemon=True, name=f"member-{index}")
        self.index, self.world, self.stop, self.rng = index, world, stop, rng
        self.url = urls[index % len(urls)]
        user_id, cookie, self.csrf = world.members[index]
        self.user_id = user_id
        self.http = requests.Session()
        self.http.cookies.set(cookie_name, cookie, domain="127.0.0.1", path="/")
        # Its own address, as seen through the trusted proxy: the per-address limits then
        # apply per member, as for members who write from their own computers.
        self.http.headers["X-Forwarded-For"] = f"10.77.{index // 250}.{index % 250 + 1}"
        self.cookie_header = f"{cookie_name}={cookie}"
        self.sio: socketio.Client | None = None
        self.pending: threading.Event | None = None  # set by an answer or a dropped socket
        self.attempts: list[Attempt] = []
        self.own_posts: list[int] = []
        self.reactions: set[tuple[int, str]] = set()  # (post, kind) this member now has
        self.voted: set[int] = set()
        self.n = 0
        self.failure: str | None = None
        # Set (a time.monotonic moment) once a killed server is back: the member then writes
        # first over the channel (HTTP or its socket) it has not yet written over since.
        self.since: float | None = None

    # --- plumbing ----------------------------------------------------------------------------

    def token(self) -> str:
        self.n += 1
        return f"pf-{self.index}-{self.n}"

    def connect(self) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("disconnect", self._dropped, namespace="/live")
        self.sio.connect(self.url, namespaces=["/live"], transports=["websocket"],
                         headers={"Cookie": self.cookie_header}, wait_timeout=60)
        try:
            reply = self.call("join", {"session_id": self.world.session_id}, timeout=60)
            if not reply.get("ok"):
                raise RuntimeError(f"member {self.index} could not join: {reply}")
        except Exception:
            self.close_socket()  # not in the room: the next socket write connects again
            raise

    def call(self, event: str, data: dict, timeout: float):
        """Like python-socketio's `call`, except that a dropped connection ends the wait at
        once (its own waits out the timeout, 30 s for a write sent just as the server was
        killed), as a browser sees its socket close: the write got no answer."""
        answered = threading.Event()
        replies: list = []

        def ack(*args) -> None:
            replies.append(args[0] if args else None)
            answered.set()

        self.pending = answered
        try:
            self.sio.emit(event, data, namespace="/live", callback=ack)
            if not answered.wait(timeout):
                raise socketio.exceptions.TimeoutError()
        finally:
            self.pending = None
        if not replies:
            raise socketio.exceptions.DisconnectedError()
        return replies[0]

    def _dropped(self, *_reason) -> None:
        pending = self.pending
        if pending is not None:
            pending.set()

    def post(self, attempt: Attempt, path: str, data: dict) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.http.post(self.url + path, data={"csrf_token": self.csrf, **data},
                                      allow_redirects=False, timeout=30)
        except requests.RequestException as err:
            attempt.reason = type(err).__name__
            return None
        finally:
            attempt.ms = (time.perf_counter() - started) * 1000
            attempt.extra["at"] = time.monotonic()
        if response.status_code == 302 and "/login" not in response.headers.get("Location", ""):
            attempt.outcome = "ok"
        elif response.status_code >= 500:
            attempt.outcome, attempt.reason = "error", str(response.status_code)
        else:
            attempt.outcome = "refused"
            attempt.reason = ("signed_out" if response.status_code == 302 else
                              REASONS_HTTP.get(response.status_code, str(response.status_code)))
            why = WHY.search(response.text)
            attempt.extra["why"] = html.unescape(why.group(1) or why.group(2)).strip() if why else ""
        return response

    def emit(self, attempt: Attempt, event: str, data: dict) -> dict | None:
        started = time.perf_counter()
        try:
            if not self.sio.connected:  # the server went away: connect and join again
                self.close_socket()
                self.connect()
            reply = self.call(event, data, timeout=30)
        except (socketio.exceptions.SocketIOError, OSError, RuntimeError) as err:
            attempt.reason = type(err).__name__
            return None
        finally:
            attempt.ms = (time.perf_counter() - started) * 1000
            attempt.extra["at"] = time.monotonic()
        if reply.get("ok"):
            attempt.outcome = "ok"
        else:
            code = reply.get("error", {}).get("code", "?")
            attempt.outcome = "error" if code == "internal" else "refused"
            attempt.reason = code
        return reply

    def run(self) -> None:
        # A busy machine may take long to connect 50 sockets (or the server may be down a
        # moment): try again until stopped; `failure` tells of a member that never connected.
        while True:
            try:
                self.connect()
                break
            except Exception as err:  # noqa: BLE001 - reported by the caller
                self.failure = f"member {self.index} could not connect: {err!r}"
                if self.stop.wait(RETRY_PAUSE):
                    return
        self.failure = None
        kinds = [kind for kind, (weight, _fn) in ACTIONS.items() for _ in range(weight)]
        while not self.stop.is_set():
            kind = self.rng.choice(self.wanted(kinds))
            attempt = ACTIONS[kind][1](self)
            self.attempts.append(attempt)
            if attempt.outcome == "unanswered":
                self.stop.wait(RETRY_PAUSE)  # the server is away: try again in a moment

    def wanted(self, kinds: list[str]) -> list[str]:
        """The kinds to pick from: all of them, or after `since` those of a channel not yet
        written over with success since then. Left to chance, the last of 50 members took a
        minute or more to happen on a socket write (few are chat, votes are often refused)."""
        if self.since is None:
            return kinds
        done = written_since(self, self.since)
        if not done & HTTP_KINDS:
            return [kind for kind in kinds if kind in HTTP_KINDS]
        if not done - HTTP_KINDS:
            return [kind for kind in kinds if kind not in HTTP_KINDS]
        self.since = None  # both channels done: back to chance, without scanning each time
        return kinds

    def close_socket(self) -> None:
        """Disconnect, and close the websocket python-engineio forgets when it broke."""
        if self.sio is None:
            return
        ws = getattr(self.sio.eio, "ws", None)
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001, S110 - the server may be gone already
            pass
        if ws is not None:
            ws.shutdown()

    def close(self) -> None:
        self.close_socket()
        self.http.close()

    # --- the writes ----------------------------------------------------------------------------

    def reply(self) -> Attempt:
        thread_id = self.rng.choice(self.world.thread_ids)
        attempt = Attempt("reply", self.index, self.token(), thread_id)
        response = self.post(attempt, f"/threads/{thread_id}/reply",
                             {"body": f"{attempt.token} A reply, with **Markdown**."})
        if attempt.outcome == "ok":
            post_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
            attempt.extra["post_id"] = post_id
            self.own_posts.append(post_id)
            self.world.posts.append(post_id)
        return attempt

    def edit(self) -> Attempt:
        if not self.own_posts:
            return self.reply()
        post_id = self.rng.choice(self.own_posts)
        attempt = Attempt("edit", self.index, self.token(), post_id)
        self.post(attempt, f"/posts/{post_id}/edit", {"body": f"{attempt.token} Edited."})
        return attempt

    def react(self) -> Attempt:
        post_id = self.rng.choice(self.world.posts or self.world.seed_post_ids)
        kind = self.rng.choice(["agree", "insightful", "thanks"])
        on = (post_id, kind) not in self.reactions
        attempt = Attempt("react", self.index, None, post_id, extra={"kind": kind, "on": on})
        self.post(attempt, f"/posts/{post_id}/react", {"kind": kind} if on else {"undo": kind})
        if attempt.outcome == "ok":
            (self.reactions.add if on else self.reactions.discard)((post_id, kind))
        return attempt

    def flag(self) -> Attempt:
        post_id = self.rng.choice(self.world.posts or self.world.seed_post_ids)
        attempt = Attempt("flag", self.index, self.token(), post_id)
        self.post(attempt, f"/moderation/flag/post/{post_id}",
                  {"reason": "off_topic", "text": f"{attempt.token} Not about housing."})
        return attempt

    def follow(self) -> Attempt:
        """Follow one of the threads or their topic (again: following is idempotent)."""
        kind, target = self.rng.choice([("thread", t) for t in self.world.thread_ids]
                                       + [("topic", self.world.topic_id)])
        attempt = Attempt("follow", self.index, None, target, extra={"target_type": kind})
        self.post(attempt, f"/follow/{kind}/{target}", {})
        return attempt

    def vote(self) -> Attempt:
        poll_id = self.rng.choice(self.world.poll_ids)
        choice = self.rng.randrange(self.world.poll_choices)
        attempt = Attempt("vote", self.index, None, poll_id, extra={"choice": choice})
        self.emit(attempt, "vote", {"poll_id": poll_id, "choice": choice})
        return attempt

    def upvote(self) -> Attempt:
        question_id = self.rng.choice(self.world.question_ids)
        attempt = Attempt("upvote", self.index, None, question_id)
        self.emit(attempt, "upvote", {"question_id": question_id})
        return attempt

    def chat(self) -> Attempt:
        attempt = Attempt("chat", self.index, self.token(), self.world.session_id)
        self.emit(attempt, "chat", {"session_id": self.world.session_id,
                                    "body": f"{attempt.token} In the room."})
        return attempt


# kind -> (weight, the member's method). One line per kind of write.
ACTIONS = {
    "reply": (4, Member.reply),
    "edit": (2, Member.edit),
    "react": (4, Member.react),
    "flag": (1, Member.flag),
    "follow": (1, Member.follow),
    "vote": (1, Member.vote),
    "upvote": (1, Member.upvote),
    "chat": (3, Member.chat),
}


HTTP_KINDS = {"reply", "edit", "react", "flag", "follow"}


def written_since(member: Member, moment: float) -> set[str]:
    """The kinds of write `member` has had answered with success since `moment`."""
    return {a.kind for a in list(member.attempts)
            if a.outcome == "ok" and a.extra.get("at", 0) > moment}


def wrote_since(member: Member, moment: float) -> bool:
    """Has `member` written with success since `moment`, over HTTP and over its socket?"""
    kinds = written_since(member, moment)
    return bool(kinds & HTTP_KINDS) and bool(kinds - HTTP_KINDS)


class KillAndRestart:
    """A `during` and a `more` for `run`: SIGKILL `server` once `after` seconds have gone
    and every member has had a write answered with success (so the kill falls among
    answered writes however slow the machine is), start it again `down` seconds
    later, and go on until every member has written again since (each is told the moment:
    `Member.since`). `state` holds the moments (time.monotonic) it was killed and back; each
    wait is capped by `within` seconds."""

    def __init__(self, server, after: float, *, down: float = 1.0, within: float = 300) -> None:
        self.server, self.after, self.down, self.within = server, after, down, within
        self.state: dict[str, float | None] = {"killed": None, "back": None}
        self.began = time.monotonic()

    def __call__(self, elapsed: float, members) -> None:
        state = self.state
        if state["killed"] is None:
            if elapsed >= self.after and all(
                    any(a.outcome == "ok" for a in list(m.attempts)) for m in members):
                self.server.kill()
                state["killed"] = time.monotonic()
        elif state["back"] is None and time.monotonic() - state["killed"] > self.down:
            self.server.start(timeout=self.within)
            state["back"] = time.monotonic()
            for member in members:
                member.since = state["back"]

    def more(self, members) -> bool:
        since = self.state["back"] or self.state["killed"] or self.began
        if time.monotonic() - since > self.within:
            return False  # the caller's checks say which step did not come
        return self.state["back"] is None or not all(
            wrote_since(m, self.state["back"]) for m in members)


@dataclass
class Run:
    attempts: list[Attempt]
    members: list[Member]
    seconds: float

    def answered(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome != "unanswered"]


def run(world: World, urls: list[str], seconds: float, *, seed: int = 1,
        cookie_name: str = "radslag_session", during=None, more=None,
        finish_within: float = 300) -> Run:
    """Every member writes for `seconds`, and on while `more(members)` says so;
    `during(elapsed, members)` is called about every 0.1 s (to kill a server mid-run, say).
    Then each member finishes the write in hand (its own timeouts bound it) before the
    attempts are returned: an audit made while a member still writes would be wrong."""
    stop = threading.Event()
    members = [Member(n, world, urls, stop, random.Random(seed * 1000 + n), cookie_name)
               for n in range(len(world.members))]
    for member in members:
        member.start()
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds or (more and more(members)):
        if during is not None:
            during(elapsed, members)
        time.sleep(0.1)
    stop.set()
    deadline = time.monotonic() + finish_within
    for member in members:
        member.join(max(0.0, deadline - time.monotonic()))
    busy = [member.name for member in members if member.is_alive()]
    if busy:
        raise RuntimeError(f"still writing {finish_within:.0f} s after the stop: {busy}")
    for member in members:
        member.close()
    attempts = [a for m in members for a in m.attempts]
    return Run(attempts, members, time.monotonic() - started)


# --- The audit -------------------------------------------------------------------------------


@dataclass
class Audit:
    lost: list[str] = field(default_factory=list)  # answered ok, not stored
    duplicated: list[str] = field(default_factory=list)  # answered ok, stored more than once
    phantom: list[str] = field(default_factory=list)  # refused, stored anyway
    counters: list[str] = field(default_factory=list)  # a counter that is not its recount

    @property
    def problems(self) -> list[str]:
        return self.lost + self.duplicated + self.phantom + self.counters


def _tokens(texts) -> Counter:
    found = Counter()
    for text in texts:
        found.update(TOKEN.findall(text or ""))
    return found


def audit(world: World, attempts: list[Attempt], *, sure: bool = True) -> Audit:
    """Compare what the members were told with what is stored. With `sure=False` (a server
    was killed), writes that got no answer may or may not be stored; all else is as strict."""
    db.session.rollback()
    db.session.expire_all()
    result = Audit()
    unknown = {"unanswered"} if not sure else set()
    ok = [a for a in attempts if a.outcome == "ok"]
    refused = [a for a in attempts if a.outcome in ("refused", "error")]
    by_kind = defaultdict(list)
    for attempt in ok:
        by_kind[attempt.kind].append(attempt)

    # Posts and edits: each token once, in the post it was written to (its text or a revision).
    threads = world.thread_ids
    posts = db.session.execute(select(Post.id, Post.author_id, Post.body_source).where(
        Post.thread_id.in_(threads))).all()
    revisions = db.session.execute(select(Revision.post_id, Revision.body_source).join(
        Post, Post.id == Revision.post_id).where(Post.thread_id.in_(threads))).all()
    where = defaultdict(list)  # token -> posts it is stored in
    for post_id, _author, body in posts:
        for token in TOKEN.findall(body):
            where[token].append(post_id)
    for post_id, body in revisions:
        for token in TOKEN.findall(body):
            where[token].append(post_id)
    expected_post = {a.token: a.extra["post_id"] for a in by_kind["reply"]}
    expected_post |= {a.token: a.target for a in by_kind["edit"]}
    for token, post_id in expected_post.items():
        found = where.get(token, [])
        if not found:
            result.lost.append(f"{token}: not stored")
        elif len(found) > 1:
            result.duplicated.append(f"{token}: stored {len(found)} times")
        elif found[0] != post_id:
            result.lost.append(f"{token}: in post {found[0]}, not {post_id}")
    for attempt in refused:
        if attempt.kind in ("reply", "edit") and attempt.token in where:
            result.phantom.append(f"{attempt.token} ({attempt.kind}, {attempt.reason}) stored")
    known = set(expected_post) | {a.token for a in attempts if a.outcome in unknown}
    strays = set(where) - known - {a.token for a in refused}
    result.phantom += [f"{token}: stored, never answered ok" for token in sorted(strays)]
    # A member's post holds the text of the last edit they were told succeeded.
    last_text = {}
    for attempt in sorted(by_kind["reply"] + by_kind["edit"], key=_order):
        last_text[attempt.extra.get("post_id", attempt.target)] = attempt.token
    bodies = {post_id: body for post_id, _a, body in posts}
    uncertain = {a.target for a in attempts if a.kind == "edit" and a.outcome in unknown}
    for post_id, token in last_text.items():
        if post_id not in uncertain and token not in TOKEN.findall(bodies.get(post_id, "")):
            result.lost.append(f"post {post_id}: does not hold its last edit {token}")

    _audit_counters(world, result)
    _audit_reactions(world, attempts, result, unknown)
    _audit_flags(world, attempts, result, unknown)
    _audit_follows(world, attempts, result, unknown)
    _audit_room(world, attempts, result, unknown)
    return result


def _order(attempt: Attempt) -> tuple[int, int]:
    return attempt.member, int(attempt.token.rsplit("-", 1)[1])


def _audit_counters(world: World, result: Audit) -> None:
    added = 0
    for thread in db.session.scalars(select(Thread).where(Thread.id.in_(world.thread_ids))):
        positions = sorted(db.session.scalars(select(Post.position).where(
            Post.thread_id == thread.id, Post.status == PostStatus.PUBLISHED)))
        if thread.post_count != len(positions):
            result.counters.append(f"thread {thread.id}: post_count {thread.post_count}, "
                                   f"{len(positions)} published posts")
        if positions != list(range(1, len(positions) + 1)) or thread.last_position != len(positions):
            result.counters.append(f"thread {thread.id}: positions are not 1..{len(positions)} "
                                   f"(last_position {thread.last_position})")
        added += len(positions) - 3
    topic_count = db.session.scalar(select(Topic.post_count).where(Topic.id == world.topic_id))
    if topic_count != world.topic_posts_before + added:
        result.counters.append(f"topic: post_count {topic_count}, recount "
                               f"{world.topic_posts_before + added}")
    edits = db.session.execute(
        select(Post.id, Post.edit_count, func.count(Revision.id))
        .outerjoin(Revision, Revision.post_id == Post.id)
        .where(Post.thread_id.in_(world.thread_ids)).group_by(Post.id, Post.edit_count)).all()
    result.counters += [f"post {pid}: edit_count {count}, {revs} revisions"
                        for pid, count, revs in edits if count != revs]


def _audit_reactions(world, attempts, result, unknown) -> None:
    """Each member's reactions are exactly what their successful adds and undos left."""
    expected, uncertain = set(), set()
    per_member = defaultdict(list)
    for attempt in attempts:
        if attempt.kind == "react":
            per_member[attempt.member].append(attempt)
    for member, tries in per_member.items():  # each member's own order is the list's order
        state, late = set(), set()
        for attempt in tries:
            key = (_user_id(world, member), attempt.target, attempt.extra["kind"])
            if attempt.outcome == "ok":
                (state.add if attempt.extra["on"] else state.discard)(key)
                if key not in late:
                    uncertain.discard(key)
            elif attempt.outcome in unknown:
                uncertain.add(key)
                if attempt.reason == "ReadTimeout":
                    # sent to a server that was up, which may still apply it after a later
                    # toggle was answered: what is stored for this key is unknown from here on
                    late.add(key)
        expected |= state
    ids = [uid for uid, _c, _t in world.members]
    stored = {(uid, pid, kind.value) for uid, pid, kind in db.session.execute(
        select(Reaction.user_id, Reaction.post_id, Reaction.kind).where(
            Reaction.user_id.in_(ids)))}
    result.lost += [f"reaction {k}: answered ok, not stored"
                    for k in sorted(expected - stored - uncertain)]
    result.phantom += [f"reaction {k}: stored, not asked for"
                       for k in sorted(stored - expected - uncertain)]


def _user_id(world: World, index: int) -> int:
    """The user id of member number `index`."""
    return world.members[index][0]


def _audit_flags(world, attempts, result, unknown) -> None:
    texts = _tokens(db.session.scalars(select(Flag.text).where(
        Flag.reporter_id.in_([uid for uid, _c, _t in world.members]))))
    for attempt in attempts:
        if attempt.kind != "flag":
            continue
        count = texts.get(attempt.token, 0)
        if attempt.outcome == "ok" and count != 1:
            (result.lost if count == 0 else result.duplicated).append(
                f"flag {attempt.token}: stored {count} times")
        elif attempt.outcome in ("refused", "error") and count:
            result.phantom.append(f"flag {attempt.token} ({attempt.reason}): stored")


def _audit_follows(world, attempts, result, unknown) -> None:
    """Each follow answered ok is stored exactly once, and active (members never unfollow
    here). A refused one is absent unless something else made it: another follow of the
    same item, a reply (which follows its thread), or a write of unknown outcome."""
    ids = [uid for uid, _c, _t in world.members]
    rows = Counter((uid, kind.value, target, active) for uid, kind, target, active in
                   db.session.execute(select(Subscription.user_id, Subscription.target_type,
                                             Subscription.target_id, Subscription.active)
                                      .where(Subscription.user_id.in_(ids))))
    stored = Counter((uid, kind, target) for uid, kind, target, _active in rows.elements())
    other = set()  # (user, kind, target) that may be stored for another reason
    for attempt in attempts:
        uid = _user_id(world, attempt.member)
        if attempt.kind == "reply" and attempt.outcome in {"ok", *unknown}:
            other.add((uid, "thread", attempt.target))
        if attempt.kind == "follow" and attempt.outcome in {"ok", *unknown}:
            other.add((uid, attempt.extra["target_type"], attempt.target))
    for attempt in attempts:
        if attempt.kind != "follow":
            continue
        key = (_user_id(world, attempt.member), attempt.extra["target_type"], attempt.target)
        if attempt.outcome == "ok":
            if stored[key] != 1 or rows[(*key, True)] != 1:
                (result.lost if stored[key] == 0 else result.duplicated).append(
                    f"follow {key}: stored {stored[key]} times, "
                    f"{rows[(*key, True)]} active")
        elif attempt.outcome in ("refused", "error") and stored[key] and key not in other:
            result.phantom.append(f"follow {key} ({attempt.reason}): stored")


def _audit_room(world, attempts, result, unknown) -> None:
    """Ballots, upvotes and chats: each success once, each refusal absent, the counters and
    the stream (one event per success, seqs without gaps) agree with the rows."""
    ids = {uid: n for n, (uid, _c, _t) in enumerate(world.members)}
    ballots = {(pid, uid): choices for pid, uid, choices in db.session.execute(
        select(Ballot.poll_id, Ballot.user_id, Ballot.choices).where(
            Ballot.poll_id.in_(world.poll_ids)))}
    upvotes = set(db.session.execute(select(QuestionVote.question_id, QuestionVote.user_id)
                                     .where(QuestionVote.question_id.in_(world.question_ids))))
    upvotes = {tuple(row) for row in upvotes}
    events = db.session.execute(select(LiveEvent.seq, LiveEvent.type, LiveEvent.data).where(
        LiveEvent.session_id == world.session_id).order_by(LiveEvent.seq)).all()
    seqs = [seq for seq, _t, _d in events]
    if seqs != list(range(1, len(seqs) + 1)):
        result.counters.append(f"live stream: seqs are not 1..{len(seqs)}")
    chats = _tokens(d.get("body") for _s, t, d in events if t == "chat")
    told = {"vote": set(), "upvote": set()}
    for attempt in attempts:
        uid = _user_id(world, attempt.member)
        if attempt.kind == "vote":
            key = (attempt.target, uid)
            if attempt.outcome == "ok":
                told["vote"].add(key)
                if ballots.get(key) != [attempt.extra["choice"]]:
                    result.lost.append(f"ballot {key}: stored {ballots.get(key)}")
            elif attempt.outcome in ("refused", "error") and attempt.reason != "already_voted" \
                    and key in ballots and key not in told["vote"]:
                result.phantom.append(f"ballot {key} ({attempt.reason}): stored")
        elif attempt.kind == "upvote":
            key = (attempt.target, uid)
            if attempt.outcome == "ok":
                told["upvote"].add(key)
                if key not in upvotes:
                    result.lost.append(f"upvote {key}: not stored")
        elif attempt.kind == "chat":
            count = chats.get(attempt.token, 0)
            if attempt.outcome == "ok" and count != 1:
                (result.lost if count == 0 else result.duplicated).append(
                    f"chat {attempt.token}: stored {count} times")
            elif attempt.outcome in ("refused", "error") and count:
                result.phantom.append(f"chat {attempt.token} ({attempt.reason}): stored")
    unsure_votes = {(a.target, _user_id(world, a.member)) for a in attempts
                    if a.kind == "vote" and a.outcome in unknown}
    unsure_upvotes = {(a.target, _user_id(world, a.member)) for a in attempts
                      if a.kind == "upvote" and a.outcome in unknown}
    ours = {key for key in ballots if key[1] in ids}
    result.phantom += [f"ballot {k}: stored, never answered ok"
                       for k in sorted(ours - told["vote"] - unsure_votes)]
    result.phantom += [f"upvote {k}: stored, never answered ok"
                       for k in sorted({k for k in upvotes if k[1] in ids}
                                       - told["upvote"] - unsure_upvotes)]
    vote_events = Counter(d["poll"]["id"] for _s, t, d in events if t == "vote")
    for poll_id in world.poll_ids:
        count = sum(1 for key in ballots if key[0] == poll_id)
        if vote_events.get(poll_id, 0) != count:
            result.counters.append(f"poll {poll_id}: {count} ballots, "
                                   f"{vote_events.get(poll_id, 0)} vote events")
    upvote_events = Counter(d["question_id"] for _s, t, d in events if t == "upvote")
    for question_id, vote_count in db.session.execute(select(Question.id, Question.vote_count)
                                                      .where(Question.id.in_(world.question_ids))):
        count = sum(1 for key in upvotes if key[0] == question_id)
        if vote_count != count or upvote_events.get(question_id, 0) != count:
            result.counters.append(f"question {question_id}: vote_count {vote_count}, "
                                   f"{count} upvotes, {upvote_events.get(question_id, 0)} events")
    if db.session.get(LiveSession, world.session_id) is None:
        result.counters.append("the live session is gone")


# --- Figures ---------------------------------------------------------------------------------


def figures(run_: Run, result: Audit, label: str) -> str:
    """The run in a few lines: per kind of write, tried / accepted / refused (by reason) /
    5xx / unanswered; then lost, duplicated, phantom, counter mismatches and latency."""
    lines = [f"== {label}: {len(run_.members)} members, {run_.seconds:.1f} s =="]
    kinds = sorted({a.kind for a in run_.attempts})
    total = Counter()
    for kind in kinds + ["all"]:
        tries = [a for a in run_.attempts if kind == "all" or a.kind == kind]
        outcome = Counter(a.outcome for a in tries)
        reasons = Counter(a.reason for a in tries if a.outcome == "refused")
        reason_text = ", ".join(f"{r} {n}" for r, n in reasons.most_common()) or "-"
        lines.append(f"{kind:>7}: tried {len(tries):5d}  accepted {outcome['ok']:5d}  "
                     f"refused {outcome['refused']:5d} ({reason_text})  "
                     f"5xx {outcome['error']:3d}  unanswered {outcome['unanswered']:3d}")
        if kind == "all":
            total = outcome
    messages = Counter(f"{a.kind} {a.reason}: {a.extra['why'][:60]}" for a in run_.attempts
                       if a.outcome == "refused" and a.extra.get("why"))
    lines += [f"  refused {n:5d}x  {m}" for m, n in messages.most_common(6)]
    times = sorted(a.ms for a in run_.answered())
    p50 = times[len(times) // 2] if times else 0.0
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] if times else 0.0
    lines.append(f"lost {len(result.lost)}  duplicated {len(result.duplicated)}  "
                 f"refused-but-stored {len(result.phantom)}  counter mismatches "
                 f"{len(result.counters)}  5xx {total['error']}  "
                 f"writes/s {total['ok'] / max(run_.seconds, 0.001):.0f}  "
                 f"p50 {p50:.0f} ms  p99 {p99:.0f} ms")
    return "\n".join(lines)
