"""The front page and the language switch."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from forum.blueprints.home import bp
from forum.i18n import LANGUAGE_COOKIE
from forum.redirects import safe_next
from forum.services import accounts
from forum.services.discussion import overview


@bp.get("/")
def index():
    """Focus areas with their active topics, and the latest activity."""
    return render_template("home/index.html", **overview.front_page(current_user))


@bp.get("/about")
def about():
    """What Rådslag is, how moderation works, privacy and accessibility."""
    return render_template("home/about.html")


@bp.post("/language")
def set_language():
    """Remember the chosen language (on the account when signed in, else in a cookie)."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        accounts.set_language(current_user, language)
    response = redirect(safe_next(request.form.get("next")) or url_for("home.index"))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True)
    return response

