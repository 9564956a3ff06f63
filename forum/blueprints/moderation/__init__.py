from flask import Blueprint

bp = Blueprint("moderation", __name__)

from forum.blueprints.moderation import views  # noqa: E402,F401
