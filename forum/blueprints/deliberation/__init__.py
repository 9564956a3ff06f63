from flask import Blueprint

bp = Blueprint("deliberation", __name__)

from forum.blueprints.deliberation import round_views, views  # noqa: E402,F401
