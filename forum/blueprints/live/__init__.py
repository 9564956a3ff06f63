from flask import Blueprint

bp = Blueprint("live", __name__)

from forum.blueprints.live import views  # noqa: E402,F401
