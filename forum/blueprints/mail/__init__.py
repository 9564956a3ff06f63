from flask import Blueprint

bp = Blueprint("mail", __name__)

from forum.blueprints.mail import views  # noqa: E402,F401
