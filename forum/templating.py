"""What templates may call: `can`, dates in the user's language, labels for enums, and a
cheap URL builder for links repeated on every row of a page."""
from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from babel import dates as babel_dates
from flask import Flask, g, request, url_for
from flask_babel import format_date, get_locale, get_translations
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from forum import i18n
from forum.models.accounts import ROLE_LABELS, SECTOR_LABELS, Role, Sector
from forum.permissions import Action, can
from forum.permissions.core import needs_two_factor_setup, plain_user


def current_language() -> str:
    return str(get_locale() or "sv")


def _per_language(key: str, compute):
    """A value computed once per request and language (templates ask for the same label or
    pattern once per row; `force_locale` blocks get their own)."""
    cache = g.setdefault("_templating", {})
    full_key = (key, str(get_locale()))
    if full_key not in cache:
        cache[full_key] = compute()
    return cache[full_key]


def when(moment: datetime | None) -> str:
    """A stored UTC time as Stockholm date and time (no seconds), in the user's language:
    Babel's medium date and short time. Each distinct day and minute is formatted once per
    process (a page lists many times; Babel takes a while for each)."""
    if not moment:
        return ""
    local = i18n.local_time(moment)
    language = str(get_locale())
    return f"{_date_text(language, local.date())} {_time_text(language, local.hour, local.minute)}"


@lru_cache(maxsize=4096)
def _date_text(language: str, day: date) -> str:
    return babel_dates.format_date(day, "medium", locale=language)


@lru_cache(maxsize=4096)
def _time_text(language: str, hour: int, minute: int) -> str:
    return babel_dates.format_time(time(hour, minute), "short", locale=language)


def day(moment: datetime | None, style: str = "long") -> str:
    return format_date(i18n.local_time(moment), style) if moment else ""


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def sector_label(value: Sector | str) -> str:
    labels = _per_language("sectors", lambda: {s: str(SECTOR_LABELS[s]) for s in Sector})
    return labels[Sector(value)]


def role_label(value: Role | str) -> str:
    return str(ROLE_LABELS[Role(value)])


class IdUrl:
    """The URL of one endpoint for many ids, built once: `profiles[user.id]` gives what
    `url_for("profiles.show", user_id=user.id)` would, without a routing lookup per row."""

    _MARK = 987654321  # a number that appears nowhere else in our URLs

    def __init__(self, endpoint: str, arg: str, **values) -> None:
        self.head, _, self.tail = url_for(endpoint, **{arg: self._MARK}, **values).partition(
            str(self._MARK))

    def __getitem__(self, key: int) -> str:
        return f"{self.head}{int(key)}{self.tail}"


def id_url(endpoint: str, arg: str, **values) -> IdUrl:
    """The request's IdUrl for an endpoint: `id_url("profiles.show", "user_id")[user.id]`."""
    cache = g.setdefault("_id_urls", {})
    key = (endpoint, arg, *sorted(values.items()))
    if key not in cache:
        cache[key] = IdUrl(endpoint, arg, **values)
    return cache[key]


def _catalogue():
    return _per_language("catalogue", get_translations)


def install_gettext(app: Flask) -> None:
    """Jinja's `_()` and friends as Flask-Babel installs them, but with the request's catalogue
    looked up once per request instead of once per string (Jinja formats and escapes)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
    )


def _notice_lines(notes) -> list:
    """Notices (oldest first, as emails list them) worded in the current locale, grouped."""
    from forum.services.notifications import reading  # noqa: PLC0415 - services load later

    return list(reversed(reading.grouped(sorted(notes, key=lambda n: n.id, reverse=True))))


def _unread_notices(user) -> int:
    """The bell's count (one statement per page, for signed-in members only)."""
    from forum.services.notifications import reading  # noqa: PLC0415

    return reading.unread_count(user.id) if getattr(user, "is_authenticated", False) else 0


def _follows(target: str, target_id: int) -> bool:
    """Does the signed-in member follow this (for the follow button)?"""
    from forum.models.notifications import FollowTarget  # noqa: PLC0415
    from forum.services.notifications import following  # noqa: PLC0415

    return following.is_following(plain_user(current_user), FollowTarget(target), target_id)


def _absolute(path: str) -> str:
    """A site path as a full URL on the request's (an email's: BASE_URL's) host."""
    return request.host_url.rstrip("/") + "/" + path.lstrip("/")


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=can,
        Action=Action,
        current_language=current_language,
        language_names=i18n.LANGUAGE_NAMES,
        csrf_token=generate_csrf,
        sectors=list(Sector),
        id_url=id_url,
        needs_two_factor_setup=lambda user: needs_two_factor_setup(plain_user(user)),
    )
    app.jinja_env.filters.update(
        when=when, day=day, iso=iso, absolute=_absolute, sector_label=sector_label, role_label=role_label
    )
    install_gettext(app)
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.globals.update(notice_lines=_notice_lines, unread_notices=_unread_notices,
                                 follows=_follows)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _page_context():
        return {"request_path": request.path}
