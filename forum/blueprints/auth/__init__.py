from flask import Blueprint

bp = Blueprint("auth", __name__)

from forum.blueprints.auth import links, views  # noqa: E402,F401
