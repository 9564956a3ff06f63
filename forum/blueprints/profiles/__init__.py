from flask import Blueprint

bp = Blueprint("profiles", __name__)

from forum.blueprints.profiles import views  # noqa: E402,F401
