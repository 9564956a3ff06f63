from flask import Blueprint

bp = Blueprint("search", __name__)

from forum.blueprints.search import views  # noqa: E402,F401
