from flask import Blueprint

bp = Blueprint("threads", __name__)

from forum.blueprints.threads import post_html, views  # noqa: E402,F401
