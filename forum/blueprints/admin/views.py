"""Admin pages: who moderates where (admins grant and take the moderator role and scopes),
background jobs that failed, and webhook endpoints with their deliveries."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from forum.blueprints.admin import bp
from forum.blueprints.admin.forms import (
    FindMemberForm,
    RoleForm,
    StaffTwoFactorForm,
    WebhookForm,
)
from forum.exceptions import InvalidInput
from forum.i18n import select_locale
from forum.permissions import Action, require
from forum.permissions.core import staff_two_factor_required
from forum.services import accounts, webhooks
from forum.services import jobs as job_records
from forum.services.moderation import moderators, modlog
from forum.services.security import two_factor
from forum.services.webhooks import endpoints


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """Moderators and admins with their areas, and a search to change someone's role."""
    require(current_user, Action.GRANT_ROLE)
    form = FindMemberForm()
    if form.validate_on_submit():
        try:
            member = moderators.find_member(form.email.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return redirect(url_for("admin.member", user_id=member.id))
    status = form.page_status()
    staff = [(user, moderators.scopes_of(user)) for user in moderators.staff()]
    return render_template("admin/index.html", staff=staff, form=form), status


@bp.route("/members/<int:user_id>", methods=["GET", "POST"])
@login_required
def member(user_id: int):
    """Set one member's role and, for a moderator, their focus areas."""
    require(current_user, Action.GRANT_ROLE)
    person = accounts.get_user(user_id)
    form = RoleForm()
    form.areas.choices = [SelectChoice(a.id, a.name(select_locale()))
                          for a in modlog.focus_areas()]
    if request.method == "GET":
        form.role.data = person.role.value
        form.areas.data = [a.id for a in moderators.scopes_of(person)]
    if form.validate_on_submit():
        try:
            moderators.set_moderator(current_user, person.id, form.role.data, form.areas.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The role of %(name)s was saved.", name=person.display_name), "success")
            return redirect(url_for("admin.index"))
    status = form.page_status()
    return render_template("admin/member.html", person=person, form=form), status


@bp.route("/security", methods=["GET", "POST"])
@login_required
def security():
    """Whether moderators and admins must use two-factor sign-in, and who has not yet."""
    require(current_user, Action.GRANT_ROLE)
    form = StaffTwoFactorForm(data={"required": staff_two_factor_required()}
                              if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            two_factor.set_staff_requirement(current_user, form.required.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The sign-in setting was saved."), "success")
            return redirect(url_for("admin.security"))
    missing = [user for user in moderators.staff() if not user.has_two_factor]
    return render_template("admin/security.html", form=form, missing=missing), \
        form.page_status()


@bp.get("/jobs")
@login_required
def jobs():
    """Background jobs that failed on their last attempt, and how many wait in the queue."""
    failed = job_records.failed_jobs(current_user)
    return render_template("admin/jobs.html", failed=failed,
                           queue=job_records.queue_state(current_user))


@bp.post("/jobs/<int:failed_id>/retry")
@login_required
def retry_job(failed_id: int):
    """Queue a failed job again."""
    row = job_records.retry(current_user, failed_id)
    flash(_("The job %(task)s was queued again.", task=row.task), "success")
    return redirect(url_for("admin.jobs"))


# --- Webhooks -------------------------------------------------------------------------------


def _webhook_form(obj=None) -> WebhookForm:
    form = WebhookForm(obj=obj) if request.method == "GET" else WebhookForm()
    form.kinds.choices = [SelectChoice(kind, label) for kind, label in webhooks.KINDS.items()]
    if obj is not None and request.method == "GET":
        form.secret.data = ""
    return form


def _endpoint_data(form: WebhookForm) -> endpoints.EndpointData:
    return endpoints.EndpointData(url=form.url.data, kinds=form.kinds.data,
                                  description=form.description.data or "",
                                  secret=form.secret.data or None, active=form.active.data)


@bp.route("/webhooks", methods=["GET", "POST"])
@login_required
def webhooks_index():
    """The webhook endpoints, how their deliveries fared, and a form to add one."""
    form = _webhook_form()
    listed = endpoints.listing(current_user)
    if form.validate_on_submit():
        try:
            endpoint = endpoints.create(current_user, _endpoint_data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The endpoint was added. Give its secret to the receiver."), "success")
            return redirect(url_for("admin.webhook", endpoint_id=endpoint.id))
    return render_template("admin/webhooks.html", endpoints=listed, form=form,
                           counts=endpoints.counts(current_user)), \
        form.page_status()


@bp.route("/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
@login_required
def webhook(endpoint_id: int):
    """One endpoint: change it, see its latest deliveries and send one again."""
    endpoint = endpoints.get(current_user, endpoint_id)
    form = _webhook_form(endpoint)
    if form.validate_on_submit():
        try:
            endpoints.update(current_user, endpoint.id, _endpoint_data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The endpoint was saved."), "success")
            return redirect(url_for("admin.webhook", endpoint_id=endpoint.id))
    rows = endpoints.deliveries(current_user, endpoint.id)[:50]
    return render_template("admin/webhook.html", endpoint=endpoint, form=form, deliveries=rows,
                           attempts=endpoints.attempts_of(rows), kinds=webhooks.KINDS), \
        form.page_status()


@bp.post("/webhooks/<int:endpoint_id>/delete")
@login_required
def delete_webhook(endpoint_id: int):
    """Remove an endpoint and its delivery history."""
    endpoints.remove(current_user, endpoint_id)
    flash(_("The endpoint was removed."), "success")
    return redirect(url_for("admin.webhooks_index"))


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
@login_required
def resend_delivery(endpoint_id: int, delivery_id: int):
    """Send a delivery's event again, as a new delivery."""
    endpoints.redeliver(current_user, delivery_id, endpoint_id)
    flash(_("The event was queued to be sent again."), "success")
    return redirect(url_for("admin.webhook", endpoint_id=endpoint_id))
