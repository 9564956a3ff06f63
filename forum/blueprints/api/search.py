"""Full-text search over what the caller may see (the same service as the /search page)."""
from __future__ import annotations

from flask import request, url_for
from markupsafe import Markup

from forum import ratelimits
from forum.blueprints.api.auth import caller
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.schemas import search as s
from forum.services import search

bp = ApiBlueprint("api_search", "Full-text search in Swedish and English.")


@bp.get("/search")
@bp.reads
@bp.arguments(s.SearchArgs, location="query", as_kwargs=True)
@bp.response(200, s.SearchPage)
@ratelimits.search
def find(q: str, kind, area, sector, verified, since, until, page: int, limit: int):
    """Hits ranked by relevance, with highlighted excerpts; paged by number (`page`)."""
    filters = search.filters_from(kind=kind, area=area, sector=sector, verified=verified,
                                  since=since, until=until)
    results = search.search(caller(), q, filters, page=page, per_page=limit)
    has_next = results.query is not None and results.page < results.pages
    return {
        "items": [_hit(h) for h in results.hits], "total": results.total,
        "more": results.more,
        "page": results.page, "pages": results.pages if results.query else 0,
        "next": url_for("api_search.find", _external=True, **{**request.args,
                                                              "page": page + 1})
        if has_next else None,
        "note": results.query.note if results.query else "",
    }


def _hit(hit: search.Hit) -> dict:
    return {"kind": hit.kind, "url": url_for("home.index", _external=True).rstrip("/") + hit.url,
            "title": Markup(hit.title).striptags(), "title_html": str(hit.title),
            "excerpt_html": str(hit.excerpt), "language": hit.language,
            "created_at": hit.created_at, "focus_area": hit.area.slug if hit.area else None,
            "author": hit.author}
