"""The pages emailed links lead to: forgotten password, reset, email confirmation."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import ratelimits
from forum.blueprints.auth import bp, signin
from forum.blueprints.auth.forms import ForgotPasswordForm, ResetPasswordForm
from forum.blueprints.profiles.forms import EmptyForm
from forum.exceptions import Conflict, InvalidInput
from forum.i18n import select_locale
from forum.redirects import safe_next
from forum.services.security import confirmation, password_reset
from forum.services.security.links import LinkRefused


def _refused(message: str, again: str):
    """A link that does not work: say why, and where to get a new one."""
    return render_template("auth/link_refused.html", message=message, again=again), 400


@bp.route("/password/forgot", methods=["GET", "POST"])
@ratelimits.password_reset
def forgot_password():
    """Ask for a reset link. The answer is the same whether the address is a member's."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data, select_locale())
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form), \
        form.page_status()


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        password_reset.member_for(token)
        if form.validate_on_submit():
            member = password_reset.reset(token, form.new_password.data)
            response = signin.after_reset(member)
            flash(_("Your password has been changed, and every session that was signed in "
                    "has been signed out."), "success")
            return response
    except LinkRefused as err:
        return _refused(password_reset.refusal_message(err.reason), "auth.forgot_password")
    except InvalidInput as err:
        err.attach_to(form)
    return render_template("auth/reset_password.html", form=form), \
        form.page_status()


@bp.route("/account/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link in the confirmation email: a page with one button (mail scanners that open
    links confirm nothing)."""
    form = EmptyForm()
    try:
        if form.validate_on_submit():
            confirmation.confirm(token)
            flash(_("Thank you: your email address is confirmed. You can now take part."),
                  "success")
            return redirect(url_for("home.index"))
        member = confirmation.member_for(token)
    except LinkRefused as err:
        return _refused(confirmation.refusal_message(err.reason), "auth.login")
    return render_template("auth/confirm_email.html", form=form, member=member)


@bp.post("/account/confirm/send")
@login_required
@ratelimits.confirmation_resend
def resend_confirmation():
    if EmptyForm().validate_on_submit():
        try:
            confirmation.send_link(current_user)
        except Conflict as err:
            flash(err.message, "info")
        else:
            flash(_("We have sent a new link to %(email)s.", email=current_user.email),
                  "success")
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
