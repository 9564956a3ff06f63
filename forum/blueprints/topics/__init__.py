from flask import Blueprint

bp = Blueprint("topics", __name__)

from forum.blueprints.topics import views  # noqa: E402,F401
