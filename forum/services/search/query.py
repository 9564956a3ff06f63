"""Reading the index: a query of plain words, the filters, ranking and one page of hits.

What a query may hold: words. Every word must occur (in an inflected form: each is stemmed
in Swedish and in English and matched against texts of that language). Punctuation and
operators (`"`, `*`, `-`, `:`, `(`, `NEAR`, `OR`) are not syntax here: they are dropped or
taken as the words they are. Common words (och, the) are left out unless the query has no
other words."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import and_, case, column, func, literal, literal_column, or_, select, table
from sqlalchemy import text as sql_text

from forum.exceptions import InvalidInput
from forum.extensions import db
from forum.i18n import display_zone
from forum.models.accounts import Sector, User
from forum.models.discussion import FocusArea
from forum.models.search import FTS_TABLE, Audience, SearchEntry
from forum.permissions.search import audiences_for, invited_sessions_for
from forum.services.search import text
from forum.services.search.sources import SOURCES

MAX_QUERY_CHARS = 200
MAX_WORDS = 12
PER_PAGE = 20
MAX_PAGE = 50  # relevance beyond the 1,000th hit says little; narrow the search instead
# Hits are counted exactly up to this many; beyond it the page says "more than 1,000", the
# newest COUNT_CAP matches are the ones ranked, and pages reach no further.
COUNT_CAP = 1000


@dataclass
class Filters:
    kinds: tuple[str, ...] = ()
    area: FocusArea | None = None
    sector: Sector | None = None
    verified: bool = False
    since: date | None = None
    until: date | None = None


@dataclass
class Query:
    """A query understood: the words used, their stems in each language, and a note when
    some words were left out."""

    words: list[str]
    stems: dict[str, set[str]]
    note: str = ""


@dataclass
class Hit:
    kind: str
    kind_label: str
    url: str
    title: Markup
    excerpt: Markup
    created_at: datetime
    author: User | None
    area: FocusArea | None
    language: str
    rank: float = 0.0


@dataclass
class Results:
    query: Query | None
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    more: bool = False  # more than `total` (= COUNT_CAP) hits match: the count stopped there

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-min(self.total, COUNT_CAP) // self.per_page)))


def understand(raw: str | None) -> Query | None:
    """The words of a query, or None for an empty one. Refuses oversized queries and
    queries with no word in them, with a reason."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > MAX_QUERY_CHARS:
        raise InvalidInput({"q": _("A search may be at most %(max)d characters.",
                                   max=MAX_QUERY_CHARS)}, code="query_too_long")
    found = list(dict.fromkeys(text.words(raw)))
    if not found:
        raise InvalidInput({"q": _("Search for at least one word of letters or digits.")},
                           code="no_words")
    note = ""
    content = [w for w in found if w not in text.STOPWORDS["sv"] | text.STOPWORDS["en"]]
    if content and len(content) < len(found):
        note = _("Common words were left out: %(words)s.",
                 words=", ".join(w for w in found if w not in content))
    found = content or found
    if len(found) > MAX_WORDS:
        note = _("Only the first %(n)d words were used.", n=MAX_WORDS)
        found = found[:MAX_WORDS]
    stems = {lang: set(text.stems(found, lang)) for lang in text.LANGUAGES}
    return Query(found, stems, note)


def run(reader, query: Query, filters: Filters, page: int = 1,
        per_page: int = PER_PAGE) -> Results:
    """One page of hits the reader may see, best first, and how many there are (exactly up
    to COUNT_CAP). Only the reader's audiences are ever matched, so nothing else is counted.

    Ranking every match of a very common word costs time in proportion to the forum; so the
    candidates are at most the COUNT_CAP newest matches (all of them when there are fewer),
    ranked by relevance, and pages stay within them."""
    page = max(1, min(page, MAX_PAGE))
    backend = _postgres if db.session.get_bind().dialect.name == "postgresql" else _sqlite
    # One statement: the newest COUNT_CAP + 1 matches with their rank. Their number is the
    # count (capped), the first COUNT_CAP are the candidates, ranked here (a count and a
    # ranking query read the same matches twice).
    newest = db.session.execute(
        backend(query, filters, audiences_for(reader), invited_sessions_for(reader),
                COUNT_CAP + 1)).all()
    counted = len(newest)
    if not counted:
        return Results(query, [], 0, page, per_page)
    page = min(page, -(-min(counted, COUNT_CAP) // per_page))
    ranked = sorted(newest[:COUNT_CAP], key=lambda row: (-row[1], -row[0]))  # best, newest
    top = ranked[(page - 1) * per_page:page * per_page]
    entries = {e.id: e for e in db.session.scalars(
        select(SearchEntry).where(SearchEntry.id.in_([r[0] for r in top])))}
    rows = [(entries[r[0]], r[1]) for r in top if r[0] in entries]
    return Results(query, _hits(rows, query), min(counted, COUNT_CAP), page, per_page,
                   more=counted > COUNT_CAP)


def _sqlite(query: Query, filters: Filters, audiences, invited, limit: int):
    """FTS5 over the stemmed columns: the words in Swedish for Swedish texts, in English for
    English ones; audience, kind, area, sector and verified are words of the facet column,
    so FTS5 answers them from its own index (an invite-only archive's entries carry their
    session, matched against the sessions the reader may see, asked first). Terms are
    letters and digits only, quoted: no FTS syntax gets in. Returns the matches (id, bm25
    rank: negated, higher is better; title words count five times body words), the newest
    `limit`, in FTS5's own rowid order: FTS5 stops there, so bm25 runs for those rows only."""
    def terms(lang: str) -> str:
        return " AND ".join(f'"{s}"' for s in text.stems(query.words, lang))

    facets = []
    if filters.kinds:
        facets.append("(" + " OR ".join(f"kind{k}" for k in filters.kinds) + ")")
    if filters.sector is not None:
        facets.append("sec" + Sector(filters.sector).value.replace("_", ""))
    if filters.verified:
        facets.append("verified")
    if filters.area is not None:
        facets.append(f"area{filters.area.id}")
    # bm25 reads the whole posting list of every term in the expression, so terms that
    # nearly every entry holds are left out where the meaning stays the same: the language
    # split when both stemmers give the same stems, and the audience as an exclusion of the
    # audiences the reader may not see (every entry has one of Audience.ALL).
    by_language = {lang: terms(lang) for lang in text.LANGUAGES}
    if len(set(by_language.values())) == 1:
        expression = f"{{title_terms body_terms}}:({by_language['sv']})"
    else:
        expression = " OR ".join(f"(language:{lang} AND {{title_terms body_terms}}:({found}))"
                                 for lang, found in by_language.items())
    if facets:
        expression = f"facet_terms:({' AND '.join(facets)}) AND ({expression})"
    hidden = [f"aud{a}" for a in Audience.BROAD if a not in audiences]
    sessions = None if invited is None else list(db.session.scalars(invited))
    if sessions == []:
        hidden.append(f"aud{Audience.INVITED}")
    if hidden:
        expression = f"({expression}) NOT facet_terms:({' OR '.join(hidden)})"
    if sessions:  # invited entries only of these sessions
        named = " OR ".join(f"ses{int(s)}" for s in sessions)
        expression = (f"({expression}) NOT (facet_terms:aud{Audience.INVITED} "
                      f"NOT facet_terms:({named}))")
    fts = table(FTS_TABLE, column("rowid"))
    match = sql_text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=expression)
    rank = literal_column(f"-bm25({FTS_TABLE}, 0.0, 0.0, 5.0, 1.0)")
    matches = select(fts.c.rowid.label("id")).select_from(fts).where(match)
    dates = _date_conditions(filters)
    if dates:  # dates are not words: join the entries
        matches = matches.join(SearchEntry, SearchEntry.id == fts.c.rowid).where(*dates)
    return matches.add_columns(rank.label("rank")).order_by(fts.c.rowid.desc()).limit(limit)


def _postgres(query: Query, filters: Filters, audiences, invited, limit: int):
    """tsvector @@ tsquery with each text's own configuration (GIN-indexed): the ids of the
    newest `limit` matches, then ts_rank (title weighted A) for those rows only. (Ranking
    in the same SELECT, or carrying the tsvector through it, made the planner rank or sort
    every match when it sorted them by id: 32,000 tsvectors for a common word without
    statistics, 70-110 ms.)

    The tsqueries are written into the SQL as constants (configuration and words), so the
    planner folds them and reads the column statistics: a rare word goes through the GIN
    index, a very common one walks the newest entries backwards and stops at the limit.
    (A bound configuration cannot be folded; every query then looked rare to the planner.)"""
    words = " & ".join(f"'{w}'" for w in query.words)  # letters and digits only

    def tsquery(lang: str):
        return func.to_tsquery(literal_column(f"'{text.LANGUAGES[lang]}'::regconfig"),
                               literal(words, literal_execute=True))

    match = or_(*(and_(SearchEntry.language == lang, SearchEntry.document.op("@@")(tsquery(lang)))
                  for lang in text.LANGUAGES))
    if invited is None:
        seen = SearchEntry.audience.in_((*audiences, Audience.INVITED))
    else:
        seen = or_(SearchEntry.audience.in_(audiences), and_(
            SearchEntry.audience == Audience.INVITED,
            SearchEntry.audience_session_id.in_(invited.scalar_subquery())))
    newest = select(SearchEntry.id).where(match, seen, *_filter_conditions(filters)) \
        .order_by(SearchEntry.id.desc()).limit(limit)
    rank = func.ts_rank(SearchEntry.document, case(
        *((SearchEntry.language == lang, tsquery(lang)) for lang in text.LANGUAGES)))
    return select(SearchEntry.id.label("id"), rank.label("rank")) \
        .where(SearchEntry.id.in_(newest.scalar_subquery())).order_by(SearchEntry.id.desc())


def _filter_conditions(filters: Filters) -> list:
    found = []
    if filters.kinds:
        found.append(SearchEntry.kind.in_(filters.kinds))
    if filters.area is not None:
        found.append(SearchEntry.focus_area_id == filters.area.id)
    if filters.sector is not None:
        found.append(SearchEntry.author_sector == Sector(filters.sector).value)
    if filters.verified:
        found.append(SearchEntry.author_verified.is_(True))
    return found + _date_conditions(filters)


def _date_conditions(filters: Filters) -> list:
    found = []
    zone = display_zone()
    if filters.since is not None:
        found.append(SearchEntry.created_at >= datetime.combine(
            filters.since, time.min, zone).astimezone(UTC))
    if filters.until is not None:
        found.append(SearchEntry.created_at < datetime.combine(
            filters.until + timedelta(days=1), time.min, zone).astimezone(UTC))
    return found


def _hits(rows, query: Query) -> list[Hit]:
    entries = [row[0] for row in rows]
    authors = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({e.author_id for e in entries if e.author_id is not None})))}
    areas = {a.id: a for a in db.session.scalars(select(FocusArea))}
    hits = []
    for entry, rank in rows:
        source = SOURCES.get(entry.kind)
        if source is None:  # a kind no longer registered: leave it out
            continue
        hits.append(Hit(
            kind=entry.kind, kind_label=str(source.label),
            url=source.url(entry.object_id, entry.parent_id),
            title=text.highlight(entry.title, query.stems, entry.language),
            excerpt=text.excerpt(entry.body, query.stems, entry.language),
            created_at=entry.created_at, author=authors.get(entry.author_id),
            area=areas.get(entry.focus_area_id), language=entry.language,
            rank=float(rank)))
    return hits


def filters_from(*, kind: str | None = None, area: str | None = None,
                 sector: str | None = None, verified: bool = False,
                 since: date | str | None = None, until: date | str | None = None) -> Filters:
    """Filters from what a reader chose (query arguments of the page or the API); every
    value is checked, and a wrong one is refused with the field it belongs to."""
    errors: dict[str, str] = {}
    kinds: tuple[str, ...] = ()
    if kind:
        if kind not in SOURCES:
            errors["kind"] = _("Choose one of the kinds listed.")
        kinds = (kind,)
    chosen_area = None
    if area:
        chosen_area = db.session.scalar(select(FocusArea).where(FocusArea.slug == area))
        if chosen_area is None:
            errors["area"] = _("There is no such focus area.")
    chosen_sector = None
    if sector:
        try:
            chosen_sector = Sector(sector)
        except ValueError:
            errors["sector"] = _("Choose one of the sectors listed.")
    days = {}
    for name, value in (("since", since), ("until", until)):
        if isinstance(value, str) and value:
            try:
                value = date.fromisoformat(value)
            except ValueError:
                errors[name] = _("Give a date as YYYY-MM-DD.")
                value = None
        days[name] = value or None
    if days["since"] and days["until"] and days["since"] > days["until"]:
        errors["until"] = _("The end of the date range is before its start.")
    if errors:
        raise InvalidInput(errors, code="bad_filter")
    return Filters(kinds, chosen_area, chosen_sector, bool(verified), days["since"],
                   days["until"])
