"""Keeping the index in step with the content, in the same transaction.

One clear place: SQLAlchemy session events. After each flush we note which searchable
objects were added, changed (in an attribute their Source watches) or deleted; just before
the commit we re-derive their entries (and the entries that follow from them: a thread's
posts when it is hidden, moved or merged, a session's archive when its visibility changes)
and write them with plain statements in the transaction that is about to commit. So every
path that changes content (posting, editing, moderation, merge and move, live archives,
erasure, the demo seed, tests' factories) keeps the index right without calling search."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

from sqlalchemy import TextClause, bindparam, delete, event, func, inspect, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from forum.extensions import db
from forum.models.accounts import Sector, User  # noqa: F401 - User: dirty-checked
from forum.models.search import FTS_TABLE, Audience, SearchEntry
from forum.services.search.sources import BY_MODEL, DEPENDENTS, SOURCES, Document
from forum.services.search.text import LANGUAGES, stemmed

_PENDING = "forum.search.pending"  # {kind: {ids}} to bring up to date before the commit
_AUTHORS = "forum.search.authors"  # ids of members whose sector or verification changed
_BATCH = 500
_USER_FIELDS = ("sector", "verified_at", "erased_at")


def _changed(obj, names: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names if name in attrs)


@event.listens_for(Session, "after_flush")
def _note_changes(session, _context) -> None:
    if session.info.get("search.off"):
        return
    pending = session.info.setdefault(_PENDING, defaultdict(set))
    for obj in (*session.new, *session.deleted):
        source = BY_MODEL.get(type(obj))
        if source is not None:
            pending[source.kind].add(obj.id)
            _note_opening(pending, obj)
        elif type(obj) in DEPENDENTS:
            kind, ident = DEPENDENTS[type(obj)][1](obj)
            pending[kind].add(ident)
    for obj in session.dirty:
        source = BY_MODEL.get(type(obj))
        if source is not None and _changed(obj, source.watched):
            pending[source.kind].add(obj.id)
            pending.setdefault(("cascade", source.kind), set()).add(obj.id)
            _note_opening(pending, obj)
        elif type(obj) in DEPENDENTS and _changed(obj, DEPENDENTS[type(obj)][0]):
            kind, ident = DEPENDENTS[type(obj)][1](obj)
            pending[kind].add(ident)
        elif isinstance(obj, User) and _changed(obj, _USER_FIELDS):
            session.info.setdefault(_AUTHORS, set()).add(obj.id)


def _note_opening(pending, obj) -> None:
    """A thread's entry holds its opening post: a change to that post changes the thread.
    (Positions change when threads are merged, so a post that was first counts too.)"""
    if BY_MODEL.get(type(obj)) is SOURCES.get("post"):
        history = inspect(obj).attrs["position"].history
        if obj.position == 1 or 1 in (history.deleted or ()):
            pending["thread"].add(obj.thread_id)


@event.listens_for(Session, "before_commit")
def _write_pending(session) -> None:
    if session.info.get("search.off"):
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # commit would flush next: note those changes now
    if not (session.info.get(_PENDING) or session.info.get(_AUTHORS)):
        return
    pending = session.info.pop(_PENDING, {})
    authors = session.info.pop(_AUTHORS, set())
    for kind in [k for k in pending if isinstance(k, tuple)]:
        ids = pending.pop(kind)
        for other, ids_select in SOURCES[kind[1]].related(sorted(ids)):
            pending.setdefault(other, set()).update(session.scalars(ids_select))
    for kind, ids in pending.items():
        if kind in SOURCES and ids:
            refresh(kind, sorted(i for i in ids if i is not None))
    if authors:
        _refresh_authors(authors)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, _previous) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_AUTHORS, None)


def refresh(kind: str, ids: list[int]) -> None:
    """Bring the entries of these objects up to date: written if findable, else removed."""
    source = SOURCES[kind]
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        found = source.documents(chunk)
        gone = [i for i in chunk if found.get(i) is None]
        if gone:
            db.session.execute(delete(SearchEntry).where(SearchEntry.kind == kind,
                                                         SearchEntry.object_id.in_(gone)))
        write([d for d in found.values() if d is not None])


def write(documents: list[Document]) -> None:
    """Write entries with one statement: an upsert, so an entry already there for the
    object is replaced (on the session's connection, in its transaction: a text statement
    needs nothing of the ORM)."""
    if not documents:
        return
    postgres = not _sqlite()
    db.session.connection().execute(_upsert(postgres), [_row(d, postgres) for d in documents])


_COLUMNS = ("kind", "object_id", "parent_id", "audience", "audience_session_id",
            "focus_area_id", "author_id", "author_sector", "author_verified", "language",
            "created_at", "title", "body", "title_terms", "body_terms", "facet_terms")


@lru_cache(maxsize=2)
def _upsert(postgres: bool) -> TextClause:
    """INSERT .. ON CONFLICT DO UPDATE as one text statement, built once: SQLAlchemy 2.0 does
    not cache its own on-conflict constructs, and building one per reply cost more than the
    rest of indexing. On PostgreSQL the tsvector is computed by the statement itself."""
    columns = list(_COLUMNS)
    values = [f":{name}" for name in columns]
    if postgres:
        columns.append("document")
        values.append("setweight(to_tsvector(CAST(:config AS regconfig), :title_words), 'A')"
                      " || setweight(to_tsvector(CAST(:config AS regconfig), :body), 'B')")
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("kind", "object_id"))
    statement = sql_text(
        f"INSERT INTO {SearchEntry.__tablename__} ({', '.join(columns)}) "
        f"VALUES ({', '.join(values)}) ON CONFLICT (kind, object_id) DO UPDATE SET {updates}")
    table = SearchEntry.__table__
    return statement.bindparams(*(bindparam(name, type_=table.c[name].type) for name in _COLUMNS))


def _row(d: Document, postgres: bool) -> dict:
    if d.audience not in Audience.ALL:  # searches rely on it: nothing narrower is indexed
        raise ValueError(f"search entries are public, for members or invited, not {d.audience!r}")
    if (d.audience == Audience.INVITED) != (d.session_id is not None):
        raise ValueError("an entry names its session exactly when its audience is 'invited'")
    title = d.title[:300]
    row = {"kind": d.kind, "object_id": d.object_id, "parent_id": d.parent_id,
           "audience": d.audience, "audience_session_id": d.session_id,
           "focus_area_id": d.focus_area_id,
           "author_id": d.author.id if d.author is not None else None,
           "author_sector": Sector(d.author.sector).value if d.author is not None else None,
           "author_verified": bool(d.author is not None and d.author.verified_at is not None),
           "language": d.language, "created_at": d.created_at, "title": title,
           "body": d.body, "title_terms": None, "body_terms": None, "facet_terms": None}
    if postgres:
        row["config"] = LANGUAGES[d.language]
        row["title_words"] = title if d.title_searchable else ""
    else:
        row["title_terms"] = stemmed(title, d.language) if d.title_searchable else ""
        row["body_terms"] = stemmed(d.body, d.language)
        row["facet_terms"] = facet_words(row)
    return row


def facet_words(row: dict) -> str:
    """The filter values of an entry as words FTS5 can match (letters and digits only)."""
    found = [f"aud{row['audience']}", f"kind{row['kind']}"]
    if row["audience_session_id"] is not None:
        found.append(f"ses{row['audience_session_id']}")
    if row["author_sector"]:
        found.append("sec" + row["author_sector"].replace("_", ""))
    if row["author_verified"]:
        found.append("verified")
    if row["focus_area_id"] is not None:
        found.append(f"area{row['focus_area_id']}")
    return " ".join(found)


def _refresh_authors(user_ids: set[int]) -> None:
    """A member's sector or verification changed (or the account was erased): their
    entries are written again, so the author filters follow."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, object_id in db.session.execute(select(SearchEntry.kind, SearchEntry.object_id)
                                              .where(SearchEntry.author_id.in_(user_ids))):
        by_kind[kind].append(object_id)
    for kind, ids in by_kind.items():
        if kind in SOURCES:
            refresh(kind, sorted(ids))


def rebuild(progress: Callable[[str, int, int], None] = lambda kind, done, total: None,
            ) -> dict[str, int]:
    """Throw the index away and derive it again from the content, source by source, in
    batches (one commit each, so a big forum is not one huge transaction). Returns the
    number of entries of each kind."""
    session = db.session()
    session.info["search.off"] = True
    try:
        db.session.execute(delete(SearchEntry))
        db.session.commit()
        counts = {}
        for kind, source in SOURCES.items():
            ids = list(db.session.scalars(source.ids()))
            for start in range(0, len(ids), _BATCH):
                chunk = ids[start:start + _BATCH]
                write([d for d in source.documents(chunk).values() if d is not None])
                db.session.commit()
                progress(kind, min(start + _BATCH, len(ids)), len(ids))
            if not ids:
                progress(kind, 0, 0)
            counts[kind] = db.session.scalar(
                select(func.count()).where(SearchEntry.kind == kind)) or 0
        _settle()
        return counts
    finally:
        session.info.pop("search.off", None)


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _settle() -> None:
    """After a rebuild: SQLite merges the batches' many FTS5 segments into one; PostgreSQL
    moves the GIN index's pending entries into the index proper and gathers statistics
    again (the planner tells common words from rare ones by them: without, every word
    looked rare, and `harbour` sorted all its 32,000 matches instead of walking the newest)."""
    if _sqlite():
        db.session.execute(sql_text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')"))
    else:
        db.session.execute(_CLEAN_GIN)
        db.session.execute(sql_text(f"ANALYZE {SearchEntry.__tablename__}"))
    db.session.commit()


_MERGE_PAGES = 500  # the work of one FTS5 merge statement, in pages written (about 2 MB)
_MERGE_ROUNDS = 40
_CLEAN_GIN = sql_text("SELECT gin_clean_pending_list('ix_search_entries_document')")


def merge_segments() -> int:
    """Tidy what writes left behind, so that neither a reply nor a search pays for it.

    SQLite: merge the FTS5 segments (replies never merge, see forum.models.search), in
    steps of _MERGE_PAGES pages, one commit each, until FTS5 has nothing left to merge;
    returns the number of steps that did work. PostgreSQL: move the GIN index's pending
    list (new entries, unsorted, which every search reads through and which the reply that
    fills it to gin_pending_list_limit would otherwise flush) into the index; returns the
    number of pending pages moved."""
    if not _sqlite():
        moved = db.session.scalar(_CLEAN_GIN) or 0
        db.session.commit()
        return moved
    merge = sql_text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES('merge', :pages)")
    steps = 0
    for _round in range(_MERGE_ROUNDS):
        before = db.session.scalar(sql_text("SELECT total_changes()"))
        db.session.execute(merge, {"pages": _MERGE_PAGES})
        done = db.session.scalar(sql_text("SELECT total_changes()")) - before
        db.session.commit()
        if done < 2:  # FTS5's own sign that no merge was needed
            break
        steps += 1
    return steps
