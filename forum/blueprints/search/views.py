"""The search page: one box, filters, ranked hits with highlighted excerpts, pages."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from forum import ratelimits
from forum.blueprints.search import bp
from forum.exceptions import InvalidInput
from forum.extensions import db
from forum.models.accounts import Sector
from forum.models.discussion import FocusArea
from forum.services import search

FILTERS = ("kind", "area", "sector", "verified", "since", "until")


@bp.get("/search")
@ratelimits.search
def page():
    """Search what the reader may see. Works as a plain GET form, without JavaScript."""
    args = request.args
    wanted = {name: args.get(name, "") for name in FILTERS}
    errors: dict[str, str] = {}
    results = search.Results(None)
    try:
        filters = search.filters_from(
            kind=wanted["kind"], area=wanted["area"], sector=wanted["sector"],
            verified=wanted["verified"] in ("1", "on", "true"), since=wanted["since"],
            until=wanted["until"])
        results = search.search(current_user, args.get("q", ""), filters,
                                page=args.get("page", 1, type=int) or 1)
    except InvalidInput as refused:
        errors = refused.fields
    status = 400 if errors else 200
    return render_template(
        "search/page.html", q=args.get("q", ""), wanted=wanted, results=results,
        errors=errors, kinds=search.kinds(), sectors=list(Sector),
        areas=list(db.session.scalars(select(FocusArea).order_by(FocusArea.position))),
        max_chars=search.MAX_QUERY_CHARS), status
