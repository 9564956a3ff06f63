from flask import Blueprint

bp = Blueprint("security", __name__)

from forum.blueprints.security import views  # noqa: E402,F401
