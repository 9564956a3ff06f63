"""The search index: one row per searchable thing (a topic, thread, post, live session,
proposal, ...), holding what the results page shows and filters on, and the words the
database's full-text index reads.

The row is derived data: forum.services.search writes it in the same transaction as the
content it comes from, and `forum reindex` can rebuild all of it.

Each database reads its own columns:
- SQLite: `title_terms` and `body_terms` hold the words already stemmed in Python (Snowball,
  in the text's language); `facet_terms` holds the audience and filter values as words
  (`audpublic kindpost secbusiness verified area3`; `audinvited ses7` for an invite-only
  session's archive), so FTS5 answers filters from its own index without a join; the FTS5 table `search_fts` indexes them as external content,
  kept in step by triggers on this table (so deleting rows, even in bulk, updates it too).
- PostgreSQL: `document` is a tsvector built with the `swedish` or `english` configuration
  (title weighted A, body B) and has a GIN index.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Index, String, Text, UniqueConstraint, event
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db


class Audience:
    """Who may find an entry. Anything narrower than these (moderators, the author) is never
    indexed."""

    PUBLIC = "public"  # everyone, signed in or not
    MEMBERS = "members"  # signed-in members
    # those who may see the invite-only session in `audience_session_id` (its invitees, its
    # people, its area's moderators, admins): decided when searching, from the invitations
    INVITED = "invited"
    BROAD = (PUBLIC, MEMBERS)  # audiences that name no session
    ALL = (PUBLIC, MEMBERS, INVITED)  # the only values an entry may hold (the index refuses others)


class SearchEntry(db.Model):
    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # a registered source: "post", "topic", ...
    object_id: Mapped[int]
    parent_id: Mapped[int | None]  # the thread of a post, for links and cascades
    audience: Mapped[str] = mapped_column(String(10))
    audience_session_id: Mapped[int | None]  # Audience.INVITED: whose invitees may find it
    focus_area_id: Mapped[int | None]
    author_id: Mapped[int | None] = mapped_column(index=True)  # None: no attributable author
    author_sector: Mapped[str | None] = mapped_column(String(20))
    author_verified: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # plain text, for excerpts
    title_terms: Mapped[str | None] = mapped_column(Text)  # SQLite only
    body_terms: Mapped[str | None] = mapped_column(Text)  # SQLite only
    facet_terms: Mapped[str | None] = mapped_column(Text)  # SQLite only: filters as words
    document = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), nullable=True)

    __table_args__ = (
        UniqueConstraint("kind", "object_id", name="uq_search_entries_kind_object"),
        Index("ix_search_entries_created", "created_at"),
        Index("ix_search_entries_document", "document", postgresql_using="gin"),
    )


FTS_TABLE = "search_fts"

# Tables the database keeps for FTS5 that no model describes; Alembic leaves them alone.
NOT_MODELLED = frozenset({FTS_TABLE} | {f"{FTS_TABLE}_{part}"
                                        for part in ("data", "idx", "docsize", "config",
                                                     "content")})

# Merging FTS5 segments (SQLite): each commit that writes entries adds a small segment, and
# by default FTS5 merges them as it goes (automerge), which on a big index cost a reply about
# 40 ms of CPU every 16th reply. So writes never merge (automerge 0); the periodic job
# `merge_index` merges in the worker, and FTS5 itself merges a level only once 64 segments
# have piled up there (crisismerge: the safety valve when no worker runs).

FTS_MERGING = {"automerge": 0, "crisismerge": 64}

# The FTS5 table and its triggers (SQLite). unicode61 with remove_diacritics 0: å, ä and ö
# stay letters of their own. The terms are stemmed already, so no tokenizer stemming.
SQLITE_FTS_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(language, facet_terms, title_terms, body_terms, "
    "content='search_entries', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, language, facet_terms, title_terms, body_terms) "
    "VALUES (new.id, new.language, new.facet_terms, new.title_terms, new.body_terms); END",
    f"CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, language, facet_terms, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.language, old.facet_terms, old.title_terms, old.body_terms); END",
    f"CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, language, facet_terms, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.language, old.facet_terms, old.title_terms, old.body_terms); "
    f"INSERT INTO {FTS_TABLE}(rowid, language, facet_terms, title_terms, body_terms) "
    "VALUES (new.id, new.language, new.facet_terms, new.title_terms, new.body_terms); END",
    *(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES('{name}', {value})"
      for name, value in FTS_MERGING.items()),
)
SQLITE_FTS_DROP = (
    "DROP TRIGGER IF EXISTS search_entries_ai", "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_au", f"DROP TABLE IF EXISTS {FTS_TABLE}",
)

# create_all (tests, a fresh database without migrations) builds the FTS table too.
for _statement in SQLITE_FTS_DDL:
    event.listen(SearchEntry.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_FTS_DROP:
    event.listen(SearchEntry.__table__, "before_drop",
                 DDL(_statement).execute_if(dialect="sqlite"))
