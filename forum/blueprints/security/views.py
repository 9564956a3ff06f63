"""The member's security page: sessions, two-factor sign-in, remembered devices."""
from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user

from forum.blueprints.auth import signin
from forum.blueprints.profiles.forms import EmptyForm
from forum.blueprints.security import bp
from forum.blueprints.security.forms import EnableTwoFactorForm, PasswordConfirmForm
from forum.exceptions import InvalidInput
from forum.services.security import devices, sessions, two_factor

SETUP = "totp_setup"  # the secret being set up, until a code confirms it


def _overview(status: int = 200, **forms):
    forms.setdefault("disable_form", PasswordConfirmForm(prefix="disable"))
    forms.setdefault("codes_form", PasswordConfirmForm(prefix="codes"))
    return render_template(
        "security/overview.html", sessions=sessions.active(current_user),
        current_id=sessions.current_id(), devices=devices.trusted_devices(current_user),
        codes_left=two_factor.recovery_codes_left(current_user) if current_user.has_two_factor
        else 0, form=EmptyForm(), **forms), status


@bp.get("/security")
@login_required
def overview():
    return _overview()


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Scan the code (or type the key), then confirm with one code from the app."""
    if current_user.has_two_factor:
        return redirect(url_for("security.overview"))
    secret = session.setdefault(SETUP, two_factor.new_secret())
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        try:
            codes, renewal = two_factor.enable(current_user, secret, form.code.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            signin.renewed(current_user._get_current_object(), renewal)
            flash(_("Two-factor sign-in is on."), "success")
            return render_template("security/recovery_codes.html", codes=codes)
    qr = two_factor.qr_svg(two_factor.setup_uri(current_user, secret),
                           _("QR code for setting up two-factor sign-in"))
    return render_template("security/two_factor.html", form=form, secret=secret, qr=qr), \
        form.page_status()


@bp.post("/two-factor/disable")
@login_required
def disable_two_factor():
    form = PasswordConfirmForm(prefix="disable")
    if form.validate_on_submit():
        try:
            renewal = two_factor.disable(current_user, form.password.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            signin.renewed(current_user._get_current_object(), renewal)
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("security.overview"))
    return _overview(400, disable_form=form)


@bp.post("/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    form = PasswordConfirmForm(prefix="codes")
    if form.validate_on_submit():
        try:
            codes = two_factor.replace_recovery_codes(current_user, form.password.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return render_template("security/recovery_codes.html", codes=codes)
    return _overview(400, codes_form=form)


@bp.post("/sessions/<int:record_id>/end")
@login_required
def end_session(record_id: int):
    if EmptyForm().validate_on_submit():
        own = record_id == sessions.current_id()
        sessions.end(current_user, record_id)
        if own:
            logout_user()
            flash(_("You are signed out."), "info")
            return redirect(url_for("home.index"))
        flash(_("The session has been signed out."), "success")
    return redirect(url_for("security.overview"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    if EmptyForm().validate_on_submit():
        ended = sessions.end_others(current_user)
        flash(ngettext("%(num)s other session was signed out.",
                       "%(num)s other sessions were signed out.", ended), "success")
    return redirect(url_for("security.overview"))


@bp.post("/devices/<int:device_id>/forget")
@login_required
def forget_device(device_id: int):
    if EmptyForm().validate_on_submit():
        devices.forget(current_user, device_id)
        flash(_("That device will be asked for a code again."), "success")
    return redirect(url_for("security.overview"))
