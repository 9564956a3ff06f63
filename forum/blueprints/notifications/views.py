"""The member's notices, following and unfollowing, what they follow, and their notice
settings. Every page works without JavaScript; `static/js/notifications.js` adds the live
bell and list."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.blueprints.notifications import bp
from forum.blueprints.notifications.forms import EmptyForm, settings_form
from forum.exceptions import InvalidInput
from forum.ids import MAX_ID
from forum.redirects import safe_next
from forum.services import notifications
from forum.services.notifications import following, kinds, settings
from forum.templating import current_language

PAGE = 50


@bp.get("/notifications")
@login_required
def index():
    """The member's own notices, newest first, many of one thread as one line."""
    before_id = request.args.get("before", type=int)
    if before_id is not None and not 0 < before_id <= MAX_ID:
        before_id = None
    rows = notifications.before(current_user, before_id, PAGE)
    more = rows[PAGE - 1].id if len(rows) > PAGE else None
    return render_template("notifications/index.html", items=notifications.grouped(rows[:PAGE]),
                           unread=notifications.unread_count(current_user), more=more,
                           form=EmptyForm())


@bp.post("/notifications/read")
@login_required
def mark_read():
    """Mark the notices named by `ids` read, or all of them without `ids`."""
    if not EmptyForm().validate_on_submit():
        return _back(_("The form expired; please try again."), "error")
    ids = request.form.getlist("ids", type=int)
    if ids:
        notifications.mark_read(current_user, [i for i in ids if 0 < i <= MAX_ID][:200])
        return _back(_("Marked as read."))
    notifications.mark_all_read(current_user)
    return _back(_("All notifications are marked as read."))


@bp.post("/notifications/<int:notice_id>/read")
@login_required
def mark_one_read(notice_id: int):
    if not EmptyForm().validate_on_submit():
        return _back(_("The form expired; please try again."), "error")
    notifications.mark_read(current_user, [notice_id])
    return _back(_("Marked as read."))


@bp.get("/notifications/<int:notice_id>/open")
@login_required
def open_notice(notice_id: int):
    """Follow a notice's link, marking it read on the way."""
    return redirect(notifications.open_notice(current_user, notice_id))


@bp.post("/follow/<any(area,topic,thread,session):target>/<int:target_id>")
@login_required
def follow(target: str, target_id: int):
    if not EmptyForm().validate_on_submit():
        return _back(_("The form expired; please try again."), "error")
    following.follow(current_user, target, target_id)
    return _back(_("You follow this now. You will be notified of what is new."))


@bp.post("/unfollow/<any(area,topic,thread,session):target>/<int:target_id>")
@login_required
def unfollow(target: str, target_id: int):
    if not EmptyForm().validate_on_submit():
        return _back(_("The form expired; please try again."), "error")
    following.unfollow(current_user, target, target_id)
    return _back(_("You no longer follow this."))


@bp.get("/account/following")
@login_required
def followed():
    """What the member follows, with a button to stop each."""
    return render_template("notifications/following.html", form=EmptyForm(),
                           items=following.followed_by(current_user, current_language()))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings_page():
    form = settings_form(kinds.MAIL_KINDS, **settings.current(current_user))
    if form.validate_on_submit():
        try:
            settings.save(current_user, form.auto_follow.data,
                          {n: form[f"mail_{n}"].data for n in kinds.MAIL_KINDS})
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.settings_page"))
    status = form.page_status()
    return render_template("notifications/settings.html", form=form,
                           mail_kinds=kinds.MAIL_KINDS), status


def _back(message: str, category: str = "success"):
    flash(message, category)
    return redirect(safe_next(request.form.get("next")) or url_for("notifications.index"))
