"""Feed addresses (a public interface, see docs/feeds.md) and the account page of the
member's private calendar address."""
from __future__ import annotations

from datetime import datetime

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.blueprints.feeds import bp
from forum.blueprints.live.forms import ButtonForm
from forum.models.discussion import Thread
from forum.services.feeds import atom, calendar, public, tokens
from forum.services.live import rsvps

ATOM = "application/atom+xml"
ICS = "text/calendar"
MAX_AGE = 300  # seconds a reader or proxy may reuse a feed before asking again


@bp.app_template_global()
def public_feed(thread: Thread) -> bool:
    """Does the thread have a public feed to link to? (Asked twice per page: kept.)"""
    known = g.setdefault("_public_feeds", {})
    if thread.id not in known:
        known[thread.id] = public.public_thread(thread)
    return known[thread.id]


@bp.get("/feeds/latest.atom")
def latest():
    return _atom(atom.latest())


@bp.get("/feeds/areas/<slug>.atom")
def area(slug: str):
    return _atom(atom.area(slug))


@bp.get("/feeds/topics/<int:topic_id>.atom")
def topic(topic_id: int):
    return _atom(atom.topic(topic_id))


@bp.get("/feeds/threads/<int:thread_id>.atom")
def thread(thread_id: int):
    return _atom(atom.thread(thread_id))


@bp.get("/feeds/live.ics")
def live_calendar():
    return _send(calendar.upcoming_public(), ICS, filename="radslag-live.ics")


@bp.get("/feeds/my-sessions/<secret>.ics")
def member_calendar(secret: str):
    member = tokens.member_for(secret)
    response = _send(calendar.member_sessions(member), ICS, private=True,
                     filename="radslag-my-sessions.ics")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/account/calendar")
@login_required
def account():
    return _account_page(secret=None)


@bp.post("/account/calendar/renew")
@login_required
def renew():
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("feeds.account"))
    return _account_page(secret=tokens.renew(current_user))


@bp.post("/account/calendar/revoke")
@login_required
def revoke():
    if ButtonForm().validate_on_submit() and tokens.revoke(current_user):
        flash(_("Your private calendar address has been turned off."), "success")
    return redirect(url_for("feeds.account"))


def _account_page(secret: str | None):
    address = secret and url_for("feeds.member_calendar", secret=secret, _external=True)
    return render_template("feeds/account.html", address=address,
                           token=tokens.current(current_user), form=ButtonForm(),
                           sessions=rsvps.sessions_for(current_user))


def _atom(feed: atom.Feed) -> Response:
    return _send(feed.body, ATOM, updated=feed.updated)


def _send(body: bytes, mimetype: str, *, updated: datetime | None = None,
          private: bool = False, filename: str | None = None) -> Response:
    """The feed with a strong ETag (and Last-Modified when known); a matching conditional
    request gets 304 without a body."""
    response = Response(body, mimetype=mimetype)  # Flask adds "; charset=utf-8"
    if updated is not None:
        response.last_modified = updated
    response.add_etag()
    response.cache_control.max_age = MAX_AGE
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response.make_conditional(request)
