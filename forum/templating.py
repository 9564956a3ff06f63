"""What templates may call: `can`, dates in the user's language, labels for enums."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, request
from flask_babel import format_date, format_time, get_locale
from flask_wtf.csrf import generate_csrf

from forum import i18n
from forum.models.accounts import ROLE_LABELS, SECTOR_LABELS, Role, Sector
from forum.permissions import Action, can


def current_language() -> str:
    return str(get_locale() or "sv")


def when(moment: datetime | None) -> str:
    """A stored UTC time as Stockholm date and time (no seconds), in the user's language."""
    if not moment:
        return ""
    local = i18n.local_time(moment)
    return f"{format_date(local, 'medium')} {format_time(local, 'short')}"


def day(moment: datetime | None, style: str = "long") -> str:
    return format_date(i18n.local_time(moment), style) if moment else ""


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def sector_label(value: Sector | str) -> str:
    return str(SECTOR_LABELS[Sector(value)])


def role_label(value: Role | str) -> str:
    return str(ROLE_LABELS[Role(value)])


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=can,
        Action=Action,
        current_language=current_language,
        language_names=i18n.LANGUAGE_NAMES,
        csrf_token=generate_csrf,
        sectors=list(Sector),
    )
    app.jinja_env.filters.update(
        when=when, day=day, iso=iso, sector_label=sector_label, role_label=role_label
    )
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _page_context():
        return {"request_path": request.path}
