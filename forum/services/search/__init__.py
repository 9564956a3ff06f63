"""Full-text search over what the forum holds, in Swedish and English, on SQLite (FTS5)
and PostgreSQL (tsvector), behind one interface:

- `search(reader, q, filters, page)` answers the search page and the API;
- the index keeps itself in step with the content (`index`: session events);
- `rebuild()` derives the whole index again (`flask forum reindex`, a job).

Kinds of content are Sources registered in `sources` (topics, threads, posts, live
sessions, proposals); another kind is one more registration."""
from __future__ import annotations

from forum.services.search import index, sources
from forum.services.search.index import rebuild
from forum.services.search.query import (
    MAX_PAGE,
    MAX_QUERY_CHARS,
    PER_PAGE,
    Filters,
    Hit,
    Query,
    Results,
    filters_from,
    understand,
)
from forum.services.search.query import run as _run


def search(reader, q: str | None, filters: Filters | None = None, page: int = 1,
           per_page: int = PER_PAGE) -> Results:
    """The hits for `q` the reader may see. An empty query gives no hits (and no error);
    a query that cannot be searched raises InvalidInput with the reason."""
    query = understand(q)
    if query is None:
        return Results(None)
    return _run(reader, query, filters or Filters(), page, per_page)


def kinds() -> dict[str, object]:
    """Each registered kind and its label, for the kind filter."""
    return {kind: source.label for kind, source in sources.SOURCES.items()}


__all__ = ["MAX_PAGE", "MAX_QUERY_CHARS", "PER_PAGE", "Filters", "Hit", "Query", "Results",
           "filters_from", "index", "kinds", "rebuild", "search", "sources", "understand"]
