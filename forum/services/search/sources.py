"""What search covers: one registered Source per kind of thing. A Source turns objects of
its model into Documents (or None: not findable) and says which model attributes matter and
which other entries follow when one changes.

Another kind is one more `register(Source(...))` call,
in the module of its feature or here, and nothing else changes: the page, the API, the
filters, the index upkeep and `forum reindex` all go through this registry."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.util import identity_key

from forum import rendering
from forum.extensions import db
from forum.models.accounts import User
from forum.models.deliberation import Proposal
from forum.models.discussion import Post, Thread, Topic
from forum.models.live import Attribution, LiveSession, Question, SessionStatus
from forum.models.rounds import Round, Statement
from forum.models.search import Audience
from forum.permissions import search as audience
from forum.services.search.text import detect_language

MAX_BODY_CHARS = 20_000


@dataclass
class Document:
    """What the index holds of one thing."""

    kind: str
    object_id: int
    audience: str
    title: str
    body: str
    created_at: datetime
    focus_area_id: int | None = None
    parent_id: int | None = None
    author: User | None = None  # None: nobody to attribute it to (or not to be attributed)
    language: str = ""
    title_searchable: bool = True  # False: the title is shown, not searched (a post's thread)
    session_id: int | None = None  # audience "invited": the invite-only session it belongs to

    def __post_init__(self) -> None:
        self.body = self.body[:MAX_BODY_CHARS]
        if not self.language:
            fallback = (self.author.language if self.author is not None else None) or \
                current_app.config.get("BABEL_DEFAULT_LOCALE", "sv")
            self.language = detect_language(f"{self.title} {self.body}",
                                            fallback if fallback in ("sv", "en") else "sv")


# (kind, select of object ids): entries to bring up to date after a change
Related = list[tuple[str, Select]]


@dataclass
class Source:
    kind: str
    label: object  # lazy text for the kind filter and the results
    model: type
    watched: frozenset[str]  # attributes whose change re-indexes the object
    documents: Callable[[list[int]], dict[int, Document | None]]
    url: Callable[[int, int | None], str]  # (object id, parent id) -> link
    related: Callable[[list[int]], Related] = field(default=lambda ids: [])
    all_ids: Callable[[], Select] | None = None

    def ids(self) -> Select:
        return self.all_ids() if self.all_ids else select(self.model.id).order_by(self.model.id)


SOURCES: dict[str, Source] = {}
BY_MODEL: dict[type, Source] = {}


def register(source: Source) -> Source:
    if source.kind in SOURCES:
        raise RuntimeError(f"two search sources for {source.kind}")
    SOURCES[source.kind] = source
    BY_MODEL[source.model] = source
    return source


def _load(model, ids: Iterable[int], *options) -> list:
    """The objects, from the session when it holds them fresh (a post just written), else
    in one query."""
    held, missing = [], []
    for ident in ids:
        obj = db.session.identity_map.get(identity_key(model, ident))
        if obj is not None and not inspect(obj).expired_attributes:
            held.append(obj)
        else:
            missing.append(ident)
    if missing:
        held += db.session.scalars(select(model).options(*options)
                                   .where(model.id.in_(missing)))
    return held


_ARCHIVES = select(LiveSession.archive_thread_id, LiveSession.id).where(
    LiveSession.archive_thread_id.in_(bindparam("threads", expanding=True)))


def _archive_sessions(thread_ids: Iterable[int]) -> dict[int, LiveSession]:
    """The live session each archive thread records. Most threads are no archive: one
    light statement of ids, and sessions loaded only for the threads that are."""
    ids = sorted(set(thread_ids))
    if not ids:
        return {}
    # on the session's connection: the ORM layer adds nothing to a select of two columns
    found = dict(db.session.connection().execute(_ARCHIVES, {"threads": ids}).all())
    if not found:
        return {}
    sessions = {s.id: s for s in _load(LiveSession, found.values())}
    return {thread_id: sessions[sid] for thread_id, sid in found.items() if sid in sessions}


# --- topics, threads, posts ---------------------------------------------------------------


def _topics(ids: list[int]) -> dict[int, Document | None]:
    return {t.id: Document("topic", t.id, audience.topic_audience(t), t.title,
                           rendering.plain_text(t.framing_html), t.created_at,
                           focus_area_id=t.focus_area_id)
            for t in _load(Topic, ids)}


def _opening_posts(thread_ids: list[int]) -> dict[int, Post]:
    return {p.thread_id: p for p in db.session.scalars(
        select(Post).where(Post.thread_id.in_(thread_ids), Post.position == 1))}


def _threads(ids: list[int]) -> dict[int, Document | None]:
    """A thread: its title and its opening post (which is not a result of its own)."""
    threads = _load(Thread, ids)
    sessions = _archive_sessions(t.id for t in threads)
    opening = _opening_posts([t.id for t in threads])
    found: dict[int, Document | None] = {}
    for thread in threads:
        first, session = opening.get(thread.id), sessions.get(thread.id)
        who = audience.thread_audience(thread, session)
        if first is not None and audience.post_audience(first, session) is None:
            body = ""  # a hidden opening post lends the thread none of its words
        else:
            body = rendering.plain_text(first.body_html) if first is not None else ""
        found[thread.id] = who and Document(
            "thread", thread.id, who, thread.title, body, thread.created_at,
            focus_area_id=thread.topic.focus_area_id, author=thread.author,
            session_id=_invited(who, session))
    return found


def _invited(who: str | None, session: LiveSession | None) -> int | None:
    """The session an `invited` entry is for."""
    return session.id if who == Audience.INVITED and session is not None else None


def _posts(ids: list[int]) -> dict[int, Document | None]:
    posts = _load(Post, ids, selectinload(Post.thread))  # with its topic (joined)
    sessions = _archive_sessions({p.thread_id for p in posts})
    found: dict[int, Document | None] = {}
    for post in posts:
        who = audience.post_audience(post, sessions.get(post.thread_id))
        if post.position == 1:
            who = None  # the opening post is found as its thread
        found[post.id] = who and Document(
            "post", post.id, who, post.thread.title, rendering.plain_text(post.body_html),
            post.created_at, focus_area_id=post.thread.topic.focus_area_id,
            parent_id=post.thread_id, author=post.author, title_searchable=False,
            session_id=_invited(who, sessions.get(post.thread_id)))
    return found


def _thread_related(ids: list[int]) -> Related:
    return [("post", select(Post.id).where(Post.thread_id.in_(ids))),
            ("proposal", select(Proposal.id).where(Proposal.thread_id.in_(ids))),
            *_rounds_in(Round.thread_id.in_(ids))]


def _topic_related(ids: list[int]) -> Related:
    threads = select(Thread.id).where(Thread.topic_id.in_(ids))
    return [("thread", threads), ("post", select(Post.id).where(Post.thread_id.in_(threads)))]


# --- live sessions (their record: description and the questions taken up) ---------------


ARCHIVED_QUESTIONS = ("open", "answered", "deferred")


def _sessions(ids: list[int]) -> dict[int, Document | None]:
    sessions = _load(LiveSession, ids)
    questions: dict[int, list[str]] = {}
    for q in db.session.scalars(select(Question).where(
            Question.session_id.in_(ids), Question.status.in_(ARCHIVED_QUESTIONS))
            .order_by(Question.id)):
        questions.setdefault(q.session_id, []).append(q.body)
    found: dict[int, Document | None] = {}
    for session in sessions:
        who = audience.session_audience(session)
        if session.status == SessionStatus.CANCELLED:
            who = None
        asked = questions.get(session.id, []) if session.status == SessionStatus.ENDED else []
        body = " ".join([rendering.plain_text(session.description_html), *asked])
        found[session.id] = who and Document(
            "session", session.id, who, session.title, body, session.starts_at,
            focus_area_id=session.focus_area_id, session_id=_invited(who, session))
    return found


def _session_related(ids: list[int]) -> Related:
    archives = select(LiveSession.archive_thread_id).where(
        LiveSession.id.in_(ids), LiveSession.archive_thread_id.is_not(None))
    return [("proposal", select(Proposal.id).where(Proposal.live_session_id.in_(ids))),
            ("thread", archives),
            ("post", select(Post.id).where(Post.thread_id.in_(archives))),
            *_rounds_in(Round.live_session_id.in_(ids))]


def _rounds_in(where) -> Related:
    """The rounds a thread or session holds, and their statements."""
    rounds = select(Round.id).where(where)
    return [("round", rounds), ("statement", select(Statement.id)
                                .where(Statement.round_id.in_(rounds)))]


# --- proposals ----------------------------------------------------------------------------


def _proposals(ids: list[int]) -> dict[int, Document | None]:
    found: dict[int, Document | None] = {}
    for proposal in _load(Proposal, ids):
        who = audience.proposal_audience(proposal)
        body = " ".join(rendering.plain_text(html) for html in
                        (proposal.statement_html, proposal.background_html))
        found[proposal.id] = who and Document(
            "proposal", proposal.id, who, proposal.title, body, proposal.created_at,
            focus_area_id=proposal.focus_area_id, author=proposal.author,
            session_id=_invited(who, proposal.live_session))
    return found


register(Source("topic", _l("Topics"), Topic, frozenset({"title", "framing_html",
                                                          "focus_area_id"}),
                _topics, lambda oid, _p: url_for("topics.show", topic_id=oid),
                related=_topic_related))
register(Source("thread", _l("Threads"), Thread,
                frozenset({"title", "topic_id", "hidden_at", "merged_into_id"}),
                _threads, lambda oid, _p: url_for("threads.show", thread_id=oid),
                related=_thread_related))
register(Source("post", _l("Posts"), Post,
                frozenset({"body_html", "status", "deleted_at", "hidden_at", "thread_id",
                           "position"}),
                _posts, lambda oid, _p: url_for("threads.permalink", post_id=oid)))
register(Source("session", _l("Live sessions"), LiveSession,
                frozenset({"title", "description_html", "visibility", "status",
                           "focus_area_id", "archive_thread_id", "attribution"}),
                _sessions, lambda oid, _p: url_for("live.show", session_id=oid),
                related=_session_related))
register(Source("proposal", _l("Proposals"), Proposal,
                frozenset({"title", "statement_html", "background_html", "thread_id",
                           "live_session_id", "focus_area_id"}),
                _proposals, lambda oid, _p: url_for("deliberation.show", proposal_id=oid)))


# --- statement rounds ---------------------------------------------------------------------


def _on_record(round_: Round) -> bool:
    """Statements carry their author's name unless the round belongs to a live session held
    under the Chatham House Rule or anonymously."""
    session = round_.live_session
    return session is None or session.attribution == Attribution.ON_RECORD


def _rounds(ids: list[int]) -> dict[int, Document | None]:
    found: dict[int, Document | None] = {}
    for round_ in _load(Round, ids):
        who = audience.round_audience(round_)
        found[round_.id] = who and Document(
            "round", round_.id, who, round_.question, round_.description, round_.created_at,
            focus_area_id=round_.focus_area_id, author=round_.author,
            session_id=_invited(who, round_.live_session))
    return found


def _statements(ids: list[int]) -> dict[int, Document | None]:
    found: dict[int, Document | None] = {}
    for statement in _load(Statement, ids, selectinload(Statement.round)):
        round_ = statement.round
        who = audience.statement_audience(statement)
        found[statement.id] = who and Document(
            "statement", statement.id, who, round_.question, statement.text,
            statement.created_at, focus_area_id=round_.focus_area_id, parent_id=round_.id,
            author=statement.author if _on_record(round_) else None, title_searchable=False,
            session_id=_invited(who, round_.live_session))
    return found


def _round_related(ids: list[int]) -> Related:
    return [("statement", select(Statement.id).where(Statement.round_id.in_(ids)))]


register(Source("round", _l("Statement rounds"), Round,
                frozenset({"question", "description", "thread_id", "live_session_id",
                           "focus_area_id"}),
                _rounds, lambda oid, _p: url_for("deliberation.show_round", round_id=oid),
                related=_round_related))
register(Source("statement", _l("Statements"), Statement,
                frozenset({"text", "status", "hidden_at"}),
                _statements,
                lambda _oid, parent: url_for("deliberation.show_round", round_id=parent)))

# Changes to these models re-index another source's entries (not entries of their own).
# A question asked or moderated changes its session's record.
DEPENDENTS: dict[type, tuple[frozenset[str], Callable[[object], tuple[str, int] | None]]] = {
    Question: (frozenset({"body", "status"}), lambda q: ("session", q.session_id)),
}

__all__ = ["BY_MODEL", "DEPENDENTS", "Document", "SOURCES", "Source",
           "register"]
