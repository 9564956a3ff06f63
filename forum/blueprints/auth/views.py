"""Register, sign in, sign out, change password."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forum.blueprints.auth import bp
from forum.blueprints.auth.forms import LoginForm, PasswordForm, RegisterForm
from forum.exceptions import InvalidInput
from forum.extensions import limiter
from forum.i18n import select_locale
from forum.redirects import safe_next
from forum.services import accounts


def _login_email_key() -> str:
    return "login-email:" + accounts.normalise_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    """Only failed sign-ins count towards the throttle."""
    return response.status_code != 302


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"], deduct_when=lambda r: r.status_code == 302)
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
            login_user(user)
            flash(_("Welcome to Rådslag, %(name)s.", name=user.display_name), "success")
            return redirect(url_for("home.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_email_key, deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.form_errors.append(_("The email address or password is not correct."))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data,
                                     form.new_password.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("profiles.show", user_id=current_user.id))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status
