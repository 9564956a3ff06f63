"""Moderation pages: flagging, the review queue and its decisions, moderator actions on
posts and threads, the public log, suspensions, appeals and a member's notices."""
from __future__ import annotations

from datetime import UTC, datetime, time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from forum import ids, ratelimits
from forum.blueprints.moderation import bp
from forum.blueprints.moderation.forms import (
    AppealDecisionForm,
    AppealForm,
    DecisionForm,
    EditOutForm,
    EmptyForm,
    FlagForm,
    MergeForm,
    MoveForm,
    ReasonForm,
    SuspendForm,
)
from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.permissions import Action, require
from forum.redirects import safe_next
from forum.services import accounts
from forum.services.deliberation import statement_queue
from forum.services.moderation import appeals, modlog, review, sanctions, targets, thread_actions

TARGETS = ("post", "thread")


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or default)


def _item_url(target_type: str, target) -> str:
    if target_type == "post":
        return url_for("threads.permalink", post_id=target.id)
    return url_for("threads.show", thread_id=target.id)


def _end_of_day(day) -> datetime | None:
    return datetime.combine(day, time(23, 59), tzinfo=UTC) if day else None


def _check_target(target_type: str) -> None:
    if target_type not in TARGETS:
        raise NotFound(_("There is no such item."))


def _reason() -> str:
    return ReasonForm().reason.data


def _act(action, *args, done: str, back: str, refused=(InvalidInput, Conflict)):
    """A one-button moderator action: run it, flash `done` or why it was refused, and go
    back to the page the button was on (else to `back`)."""
    try:
        action(current_user, *args)
        flash(done, "success")
    except refused as err:
        flash(err.message, "error")
    return _back(back)


# --- Flags --------------------------------------------------------------------------------


@bp.route("/flag/<target_type>/<int:target_id>", methods=["GET", "POST"])
@login_required
@ratelimits.flagging
def flag(target_type: str, target_id: int):
    """Members flag a post or thread once, with a reason."""
    _check_target(target_type)
    target = targets.get_target(target_type, target_id)
    require(current_user, Action.FLAG, target)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            review.flag(current_user, target_type, target.id, form.reason.data,
                            form.text.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("Thank you. A moderator will look at it."), "success")
            return _back(_item_url(target_type, target))
    status = form.page_status()
    return render_template("moderation/flag.html", form=form, target=target,
                           target_type=target_type), status


# --- The review queue ------------------------------------------------------------------------


@bp.get("/queue")
@login_required
def queue():
    """Flagged items (filter by focus area and reason), pending posts, round statements
    waiting or flagged, and open appeals."""
    area_id = request.args.get("area", type=ids.number)
    reason = request.args.get("reason") or None
    return render_template(
        "moderation/queue.html", items=review.queue(current_user, focus_area_id=area_id,
                                                        reason=reason),
        pending=review.pending_posts(current_user, focus_area_id=area_id),
        pending_statements=statement_queue.pending(current_user, focus_area_id=area_id),
        flagged_statements=statement_queue.flagged(current_user, focus_area_id=area_id,
                                                   reason=reason),
        open_appeals=appeals.pending(current_user), areas=modlog.focus_areas(),
        area_id=area_id, reason=reason, form=EmptyForm(), reject_form=ReasonForm())


@bp.route("/queue/<target_type>/<int:target_id>", methods=["GET", "POST"])
@login_required
def item(target_type: str, target_id: int):
    """One flagged item in context, and the decision form."""
    _check_target(target_type)
    entry = review.queue_item(current_user, target_type, target_id)
    form = DecisionForm()
    if request.method == "GET" and target_type == "post":
        form.new_body.data = entry.target.body_source
    if form.validate_on_submit():
        try:
            review.decide(current_user, target_type, target_id, form.decision.data,
                              form.reason.data, new_body=form.new_body.data,
                              suspend_until=_end_of_day(form.until.data))
        except InvalidInput as err:
            err.attach_to(form)
        except Conflict as err:
            form.form_errors.append(err.message)
        else:
            flash(_("Decision recorded."), "success")
            return redirect(url_for("moderation.queue"))
    status = form.page_status()
    return render_template("moderation/item.html", entry=entry, form=form,
                           history=modlog.history_of(entry.target.author_id)), status


# --- Posts and threads ---------------------------------------------------------------------


@bp.post("/<target_type>/<int:target_id>/hide")
@login_required
def hide(target_type: str, target_id: int):
    _check_target(target_type)
    return _act(review.hide, target_type, target_id, _reason(),
                done=_("Hidden. The reason is shown in its place and in the moderation log."),
                back=url_for("moderation.queue"))


@bp.post("/<target_type>/<int:target_id>/restore")
@login_required
def restore(target_type: str, target_id: int):
    _check_target(target_type)
    return _act(review.restore, target_type, target_id, _reason(), done=_("Restored."),
                back=url_for("moderation.queue"))


@bp.route("/posts/<int:post_id>/edit-out", methods=["GET", "POST"])
@login_required
def edit_out(post_id: int):
    """Edit personal data out of a post; earlier texts are listed for moderators only."""
    post = targets.get_post(post_id)
    revisions = review.moderator_revisions(current_user, post.id)
    form = EditOutForm(data={"new_body": post.body_source} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            review.edit_out(current_user, post.id, form.new_body.data, form.reason.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The post was edited. The earlier text is kept for moderators."), "success")
            return redirect(url_for("threads.permalink", post_id=post.id))
    status = form.page_status()
    return render_template("moderation/edit_out.html", post=post, form=form,
                           revisions=revisions, restore_form=ReasonForm()), status


@bp.post("/revisions/<int:revision_id>/restore")
@login_required
def restore_revision(revision_id: int):
    return _act(review.restore_revision, revision_id, _reason(),
                done=_("The earlier text is back."), back=url_for("moderation.queue"),
                refused=InvalidInput)


@bp.post("/posts/<int:post_id>/approve")
@login_required
def approve(post_id: int):
    return _act(review.approve, post_id, done=_("The post is published."),
                back=url_for("moderation.queue"), refused=Conflict)


@bp.post("/posts/<int:post_id>/reject")
@login_required
def reject(post_id: int):
    return _act(review.reject, post_id, _reason(),
                done=_("The post was not published; the author has been told why."),
                back=url_for("moderation.queue"))


@bp.post("/threads/<int:thread_id>/lock")
@login_required
def lock(thread_id: int):
    locked = request.form.get("locked", "1") == "1"
    return _act(thread_actions.lock, thread_id, locked, _reason(),
                done=_("The thread is locked.") if locked else _("The thread is open again."),
                back=url_for("threads.show", thread_id=thread_id))


@bp.post("/threads/<int:thread_id>/pin")
@login_required
def pin(thread_id: int):
    pinned = request.form.get("pinned", "1") == "1"
    return _act(thread_actions.pin, thread_id, pinned, _reason(),
                done=_("The thread is pinned.") if pinned else _("The thread is unpinned."),
                back=url_for("threads.show", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/move", methods=["GET", "POST"])
@login_required
def move(thread_id: int):
    thread = targets.get_thread(thread_id)
    require(current_user, Action.MODERATE, thread)
    form = MoveForm()
    form.topic_id.choices = [SelectChoice(i, t) for i, t in thread_actions.destinations(
        current_user, exclude=thread.topic_id)]
    if form.validate_on_submit():
        try:
            thread_actions.move(current_user, thread.id, form.topic_id.data, form.reason.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The thread was moved."), "success")
            return redirect(url_for("threads.show", thread_id=thread.id))
    status = form.page_status()
    return render_template("moderation/move.html", thread=thread, form=form), status


@bp.route("/threads/<int:thread_id>/merge", methods=["GET", "POST"])
@login_required
def merge(thread_id: int):
    thread = targets.get_thread(thread_id)
    require(current_user, Action.MODERATE, thread)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            target = thread_actions.merge(current_user, thread.id, form.target_id.data,
                                             form.reason.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The threads were merged."), "success")
            return redirect(url_for("threads.show", thread_id=target.id))
    status = form.page_status()
    return render_template("moderation/merge.html", thread=thread, form=form), status


@bp.post("/threads/<int:thread_id>/unmerge")
@login_required
def unmerge(thread_id: int):
    try:
        thread_actions.unmerge(current_user, thread_id, _reason())
        flash(_("The merge was undone."), "success")
    except Conflict as err:
        flash(err.message, "error")
    return redirect(url_for("threads.show", thread_id=thread_id))


# --- The public log -----------------------------------------------------------------------


@bp.get("/log")
def log():
    """Every moderator action, newest first, filterable by focus area and kind of action."""
    area_id = request.args.get("area", type=ids.number)
    action = request.args.get("action") or None
    page = modlog.entries(focus_area_id=area_id, action=action,
                          page=request.args.get("page", 1, type=ids.number))
    return render_template("moderation/log.html", log=page, areas=modlog.focus_areas(),
                           kinds=modlog.kinds(), area_id=area_id, action=action)


# --- Suspensions ---------------------------------------------------------------------------


@bp.get("/suspensions")
@login_required
def suspensions():
    return render_template("moderation/suspensions.html",
                           suspensions=sanctions.active_suspensions(current_user),
                           form=ReasonForm())


@bp.route("/members/<int:user_id>/suspend", methods=["GET", "POST"])
@login_required
def suspend(user_id: int):
    member = accounts.get_user(user_id)
    require(current_user, Action.SUSPEND, member)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            sanctions.suspend(current_user, member.id, form.reason.data,
                              _end_of_day(form.until.data))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("%(name)s is suspended.", name=member.display_name), "success")
            return redirect(url_for("moderation.suspensions"))
    status = form.page_status()
    return render_template("moderation/suspend.html", member=member, form=form), status


@bp.post("/suspensions/<int:suspension_id>/lift")
@login_required
def lift(suspension_id: int):
    return _act(sanctions.lift, suspension_id, _reason(), done=_("The suspension was lifted."),
                back=url_for("moderation.suspensions"))


# --- Appeals --------------------------------------------------------------------------------


@bp.get("/appeal/<target_type>/<int:target_id>")
@login_required
def appeal_item(target_type: str, target_id: int):
    """The author of hidden or rejected content goes to the appeal of its latest decision."""
    entry = appeals.latest_decision_for(current_user, target_type, target_id)
    return redirect(url_for("moderation.new_appeal", action_id=entry.id))


@bp.route("/appeals/new/<int:action_id>", methods=["GET", "POST"])
@login_required
def new_appeal(action_id: int):
    entry = appeals.get_action(action_id)
    require(current_user, Action.APPEAL, entry)
    existing, form = appeals.appeal_of(entry.id), AppealForm()
    if existing is None and form.validate_on_submit():
        try:
            appeals.file(current_user, entry.id, form.text.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("Your appeal has been sent. Another moderator will decide it."), "success")
            return redirect(url_for("moderation.new_appeal", action_id=entry.id))
    status = 400 if form.is_submitted() and existing is None else 200
    return render_template("moderation/new_appeal.html", entry=entry, form=form,
                           existing=existing), status


@bp.route("/appeals/<int:appeal_id>", methods=["GET", "POST"])
@login_required
def appeal(appeal_id: int):
    """An appeal and the form to decide it, for the moderators who may decide it."""
    found, form = appeals.for_decider(current_user, appeal_id), AppealDecisionForm()
    if form.validate_on_submit():
        try:
            appeals.decide(current_user, found.id, form.outcome.data == "overturn",
                           form.reason.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The appeal is decided; the member has been told."), "success")
            return redirect(url_for("moderation.queue"))
    status = form.page_status()
    return render_template("moderation/appeal.html", appeal=found, form=form), status


# --- A member's notices ----------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notices():
    """The old address of the notifications page (links in older notices and emails)."""
    return redirect(url_for("notifications.index"), 301)
