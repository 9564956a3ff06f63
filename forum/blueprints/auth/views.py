"""Register, sign in (password, then a code for members with two-factor sign-in), sign out,
change password."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from forum import ratelimits
from forum.blueprints.auth import bp, signin
from forum.blueprints.auth.forms import LoginForm, PasswordForm, RegisterForm, TwoFactorForm
from forum.exceptions import InvalidInput
from forum.i18n import select_locale
from forum.redirects import safe_next
from forum.services import accounts
from forum.services.security import confirmation, sessions, two_factor


@bp.route("/register", methods=["GET", "POST"])
@ratelimits.registration
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        profile = accounts.Profile(form.display_name.data, form.sector.data,
                                   form.organisation.data, form.title.data)
        try:
            user = accounts.register(form.email.data, form.password.data, profile,
                                     language=select_locale(), ip=request.remote_addr)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            confirmation.send_link(user)
            response = signin.complete(user, False, None)
            flash(_("Welcome to Rådslag, %(name)s. We have sent you an email: open its link "
                    "to confirm your address, and then you can take part.",
                    name=user.display_name), "success")
            return response
    status = form.page_status()
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.sign_in
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            return signin.password_accepted(user, form.remember.data,
                                            safe_next(request.args.get("next")))
        form.form_errors.append(_("The email address or password is not correct."))
    status = form.page_status()
    return render_template("auth/login.html", form=form), status


@bp.route("/login/two-factor", methods=["GET", "POST"])
@ratelimits.two_factor
def two_factor_step():
    """The second step for members with two-factor sign-in: a code from the app or a
    recovery code."""
    state = signin.pending()
    user = accounts.find_by_email(state["e"]) if state else None
    if user is None or user.id != state["u"] or not user.is_active:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data):
            return signin.complete(user, state["r"], state["n"], trust_device=form.trust.data)
        form.code.errors.append(_("That code is not correct. Enter the code your app shows "
                                  "now, or one of your recovery codes."))
    status = form.page_status()
    return render_template("auth/two_factor.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.sign_out(current_user)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            renewal = accounts.change_password(current_user, form.current_password.data,
                                               form.new_password.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            signin.renewed(current_user._get_current_object(), renewal)
            flash(_("Your password has been changed. Every other session has been signed "
                    "out."), "success")
            return redirect(url_for("profiles.show", user_id=current_user.id))
    status = form.page_status()
    return render_template("auth/change_password.html", form=form), status
