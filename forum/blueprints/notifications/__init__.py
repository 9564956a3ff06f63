from flask import Blueprint

bp = Blueprint("notifications", __name__)

from forum.blueprints.notifications import views  # noqa: E402,F401
