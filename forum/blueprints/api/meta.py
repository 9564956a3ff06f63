"""The API's own pages: interactive documentation and the problem types errors refer to."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.problems import TYPES, type_uri
from forum.blueprints.api.schemas.common import ProblemTypeSchema
from forum.exceptions import NotFound

bp = ApiBlueprint("api_meta", "The problem types of errors.")
pages = Blueprint("api_pages", __name__, url_prefix="/api/v1")  # for people, not in the document


@pages.get("/docs")
def docs():
    """Swagger UI over /api/v1/openapi.json, from our own static files (strict CSP)."""
    return render_template("api/docs.html")


@bp.get("/problems/<kind>")
@bp.reads
@bp.response(200, ProblemTypeSchema)
def problem_type(kind: str):
    """What one problem type (the `type` of an error) means."""
    known = TYPES.get(kind)
    if known is None:
        raise NotFound(_("There is no such problem type."))
    return {"type": type_uri(kind), "title": str(known.title), "status": known.status,
            "description": str(known.description)}
