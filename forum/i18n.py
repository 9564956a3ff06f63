"""Language and time zone: the user's choice, then the browser, then the default."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_login import current_user

LANGUAGE_COOKIE = "radslag_lang"
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def select_locale() -> str:
    """The language of this request: saved choice, cookie, Accept-Language, then default."""
    languages = current_app.config["LANGUAGES"]
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_choice = getattr(current_user, "language", None) if current_user else None
    if user_choice in languages:
        return user_choice
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def select_timezone() -> str:
    return current_app.config["DISPLAY_TIMEZONE"]


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def local_time(moment: datetime) -> datetime:
    """A stored UTC time as wall-clock time in the display zone (Europe/Stockholm)."""
    return moment.astimezone(display_zone())
