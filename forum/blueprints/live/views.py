"""Session pages: the listings, one session (before, during, after), scheduling, RSVP, .ics."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from forum.blueprints.live import bp
from forum.blueprints.live.forms import ButtonForm, CancelForm, SessionForm
from forum.exceptions import InvalidInput
from forum.models.accounts import Sector
from forum.models.live import ATTRIBUTION_LABELS, STATUS_LABELS, VISIBILITY_LABELS
from forum.permissions import Action, require
from forum.services.feeds import calendar as calendar_files
from forum.services.live import rsvps
from forum.services.live import sessions as live_sessions


@bp.get("/")
def index():
    return render_template("live/index.html", groups=live_sessions.listing(current_user),
                           labels=STATUS_LABELS)


@bp.get("/<int:session_id>")
def show(session_id: int):
    session = live_sessions.for_viewer(current_user, session_id)
    return render_template("live/show.html", session=session, form=ButtonForm(),
                           cancel_form=CancelForm(), labels=STATUS_LABELS,
                           attribution_labels=ATTRIBUTION_LABELS,
                           visibility_labels=VISIBILITY_LABELS,
                           rsvps=rsvps.count(session.id),
                           going=rsvps.has(current_user, session.id),
                           sector_names={s.value: s.label for s in Sector})


@bp.get("/<int:session_id>/calendar.ics")
def calendar(session_id: int):
    session = live_sessions.for_viewer(current_user, session_id)
    body = calendar_files.session_file(session)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="radslag-session-{session.id}.ics"'})


@bp.post("/<int:session_id>/rsvp")
@login_required
def rsvp(session_id: int):
    if ButtonForm().validate_on_submit():
        rsvps.rsvp(current_user, session_id)
        flash(_("See you there."), "success")
    return redirect(url_for("live.show", session_id=session_id, _anchor="rsvp"))


@bp.post("/<int:session_id>/rsvp/cancel")
@login_required
def cancel_rsvp(session_id: int):
    if ButtonForm().validate_on_submit():
        if rsvps.cancel(current_user, session_id):
            flash(_("Your place has been given up."), "success")
    return redirect(url_for("live.show", session_id=session_id, _anchor="rsvp"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, Action.MANAGE_LIVE)
    form = _session_form()
    if form.validate_on_submit():
        try:
            session = live_sessions.create(current_user, _data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return redirect(url_for("live.show", session_id=session.id))
    return render_template("live/edit.html", form=form, session=None), form.page_status()


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int):
    session = live_sessions.get(session_id)
    require(current_user, Action.MANAGE_LIVE, session)
    form = _session_form(session)
    if form.validate_on_submit():
        try:
            live_sessions.edit(current_user, session_id, _data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return redirect(url_for("live.show", session_id=session_id))
    return render_template("live/edit.html", form=form, session=session), form.page_status()


@bp.post("/<int:session_id>/cancel")
@login_required
def cancel(session_id: int):
    form = CancelForm()
    if form.validate_on_submit():
        live_sessions.cancel(current_user, session_id, form.reason.data)
        flash(_("The session has been cancelled."), "success")
    else:
        flash(_("Please give a reason for cancelling."), "error")
    return redirect(url_for("live.show", session_id=session_id))


def _session_form(session=None) -> SessionForm:
    data = None
    if session is not None and request.method == "GET":
        data = live_sessions.form_data(session)
    form = SessionForm(data=data)
    form.topic_id.choices = [SelectChoice(t.id, t.title)
                             for t in live_sessions.topic_choices(current_user)]
    return form


def _data(form: SessionForm) -> live_sessions.SessionData:
    lines = lambda text: (text or "").split()  # noqa: E731 - addresses hold no spaces
    return live_sessions.SessionData(
        title=form.title.data, topic_id=form.topic_id.data,
        starts_at=live_sessions.local_to_utc(form.starts_at.data),
        ends_at=live_sessions.local_to_utc(form.ends_at.data),
        description=form.description.data or "", visibility=form.visibility.data,
        attribution=form.attribution.data, meeting_url=form.meeting_url.data or "",
        premoderate_questions=form.premoderate_questions.data,
        hosts=lines(form.hosts.data), moderators=lines(form.moderators.data),
        invitees=lines(form.invitees.data))


