from flask import Blueprint

bp = Blueprint("deliberation", __name__)

from forum.blueprints.deliberation import views  # noqa: E402,F401
