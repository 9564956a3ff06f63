"""Public profiles, editing one's own profile, access tokens, verification."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from forum.blueprints.profiles import bp
from forum.blueprints.profiles.forms import EmptyForm, EraseForm, ProfileForm, TokenForm
from forum.exceptions import InvalidInput
from forum.services import accounts, privacy
from forum.services.discussion import overview


@bp.get("/members/<int:user_id>")
def show(user_id: int):
    member = accounts.get_user(user_id)
    return render_template("profiles/show.html", member=member,
                           activity=overview.recent_activity(member, current_user),
                           form=EmptyForm())


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.sector.data = current_user.sector.value
    if form.validate_on_submit():
        profile = accounts.Profile(form.display_name.data, form.sector.data,
                                   form.organisation.data, form.title.data)
        try:
            accounts.update_profile(current_user, profile)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("profiles.show", user_id=current_user.id))
    status = form.page_status()
    return render_template("profiles/edit.html", form=form), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form, secret = TokenForm(), None
    if form.validate_on_submit():
        try:
            _token, secret = accounts.create_token(current_user, form.name.data,
                                                   form.scopes.data or ())
        except InvalidInput as err:
            err.attach_to(form)
    status = 400 if form.is_submitted() and secret is None else 200
    return render_template("profiles/tokens.html", form=form, secret=secret,
                           tokens=accounts.list_tokens(current_user),
                           revoke_form=EmptyForm()), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if EmptyForm().validate_on_submit():
        accounts.revoke_token(current_user, token_id)
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("profiles.tokens"))


@bp.post("/members/<int:user_id>/verification")
@login_required
def set_verified(user_id: int):
    """Moderators confirm or withdraw the verified badge."""
    if EmptyForm().validate_on_submit():
        verified = request.form.get("verified") == "1"
        member = accounts.set_verified(current_user, user_id, verified)
        flash(_("%(name)s is now verified.", name=member.display_name) if verified
              else _("The verification of %(name)s was withdrawn.", name=member.display_name),
              "success")
    return redirect(url_for("profiles.show", user_id=user_id))


@bp.get("/account/data")
@login_required
def data():
    """The privacy page: download your data or erase your account."""
    return render_template("profiles/data.html", form=EraseForm())


@bp.get("/account/data/export.json")
@login_required
def export():
    response = jsonify(privacy.export_data(current_user))
    response.headers["Content-Disposition"] = "attachment; filename=radslag-data.json"
    return response


@bp.post("/account/erase")
@login_required
def erase():
    form = EraseForm()
    if form.validate_on_submit():
        try:
            privacy.erase_account(current_user, form.password.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            logout_user()
            flash(_("Your account has been erased."), "success")
            return redirect(url_for("home.index"))
    return render_template("profiles/data.html", form=form), 400
