"""Statement rounds: opening one, the voting page (one statement at a time), submitting
statements, the results, and the leaders' moderation. Every page works without JavaScript;
with it, new votes and statements show up live (see events.py, kind "round")."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import ratelimits
from forum.blueprints.deliberation import bp, events
from forum.blueprints.deliberation.forms import (
    CloseForm,
    ModerateStatementForm,
    RoundForm,
    StatementFlagForm,
    StatementForm,
    VoteForm,
)
from forum.exceptions import InvalidInput
from forum.permissions import Action, can
from forum.permissions.core import plain_user
from forum.redirects import safe_next
from forum.services.deliberation import round_results, rounds, seen, statements, votes
from forum.services.discussion import posting
from forum.services.live import sessions as live_sessions


def _round_data(form: RoundForm) -> rounds.RoundData:
    return rounds.RoundData(
        question=form.question.data, description=form.description.data or "",
        participation=form.participation.data, premoderate=bool(form.premoderate.data),
        closes_at=live_sessions.local_to_utc(form.closes_at.data))


@bp.route("/threads/<int:thread_id>/rounds/new", methods=["GET", "POST"])
@login_required
def new_round(thread_id: int):
    thread = posting.get_thread(thread_id)
    rounds.require_open(current_user, thread)
    form = RoundForm()
    form.offer(in_session=False)
    if form.validate_on_submit():
        try:
            made = rounds.open_in_thread(current_user, thread.id, _round_data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return redirect(url_for("deliberation.show_round", round_id=made.id))
    return render_template("deliberation/rounds/new.html", form=form, thread=thread,
                           session=None), form.page_status()


@bp.route("/live/<int:session_id>/rounds/new", methods=["GET", "POST"])
@login_required
def new_session_round(session_id: int):
    session = live_sessions.for_viewer(current_user, session_id)
    rounds.require_open(current_user, session)
    form = RoundForm()
    form.offer(in_session=True)
    if form.validate_on_submit():
        try:
            made = rounds.open_in_session(current_user, session.id, _round_data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return redirect(url_for("deliberation.show_round", round_id=made.id))
    return render_template("deliberation/rounds/new.html", form=form, thread=None,
                           session=session), form.page_status()


@bp.get("/rounds/<int:round_id>")
def show_round(round_id: int):
    return _round_page(round_id, VoteForm(), StatementForm(), 200)


def _round_page(round_id: int, vote_form: VoteForm, statement_form: StatementForm,
                status: int):
    viewer = plain_user(current_user)
    round_ = rounds.for_viewer(viewer, round_id)
    may_take_part = can(viewer, Action.TAKE_PART_IN_ROUND, round_)
    return render_template(
        "deliberation/rounds/show.html", round=round_, may_take_part=may_take_part,
        refusal=None if may_take_part else statements.refusal(viewer, round_),
        next_statement=votes.next_for(viewer, round_) if may_take_part else None,
        remaining=votes.remaining_for(viewer, round_) if may_take_part else 0,
        my_statements=statements.mine(viewer, round_), my_votes=votes.mine(viewer, round_),
        latest=statements.shown(round_, limit=10), snapshot=votes.snapshot(round_),
        review=statements.review(viewer, round_), thread=seen.thread_of(round_),
        vote_form=vote_form, statement_form=statement_form, flag_form=StatementFlagForm(),
        moderate_form=ModerateStatementForm(), close_form=CloseForm()), status


@bp.post("/rounds/<int:round_id>/statements")
@login_required
@ratelimits.posting
def submit_statement(round_id: int):
    form = StatementForm()
    if form.validate_on_submit():
        try:
            made = statements.submit(current_user, round_id, form.text.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            if made.published:
                events.publish("round", round_id, {
                    **votes.snapshot(made.statement.round),
                    "new_statement": {"id": made.statement.id, "text": made.statement.text}})
                flash(_("Thank you: your statement is in the round."), "success")
            else:
                flash(_("Thank you: your statement will appear once a moderator has "
                        "approved it."), "success")
            return redirect(url_for("deliberation.show_round", round_id=round_id,
                                    _anchor="statement"))
    return _round_page(round_id, VoteForm(), form, 400)


@bp.post("/rounds/<int:round_id>/vote")
@login_required
def vote(round_id: int):
    form = VoteForm()
    if form.validate_on_submit():
        try:
            voted = votes.vote(current_user, round_id, form.statement_id.data,
                               form.choice.data)
        except InvalidInput as err:
            err.attach_to(form)
            if "statement_id" in err.fields:
                form.choice.errors = list(form.choice.errors) + [err.fields["statement_id"]]
        else:
            if voted.changed:
                events.publish("round", round_id, voted.broadcast)
            return redirect(url_for("deliberation.show_round", round_id=round_id,
                                    _anchor="vote"))
    elif form.statement_id.errors and not form.choice.errors:
        form.choice.errors = [_("Vote on a statement from the page.")]
    return _round_page(round_id, form, StatementForm(), 400)


@bp.get("/rounds/<int:round_id>/results")
def round_results_page(round_id: int):
    found = round_results.results(current_user, round_id)
    return render_template("deliberation/rounds/results.html", round=found.round, r=found,
                           thread=seen.thread_of(found.round))


@bp.post("/rounds/<int:round_id>/close")
@login_required
def close_round(round_id: int):
    form = CloseForm()
    if not form.validate_on_submit():
        flash(_("The reason may be at most 500 characters."), "error")
        return redirect(url_for("deliberation.show_round", round_id=round_id))
    closed = rounds.close(current_user, round_id, form.reason.data)
    events.publish("round", closed.id, votes.snapshot(closed))
    flash(_("The round is closed."), "success")
    return redirect(url_for("deliberation.round_results_page", round_id=closed.id))


def _moderation(statement_id: int, act, done: str):
    """A leader's action on a statement, from the round's panel or the review queue (`next`);
    bad input is a 400 page with the reason."""
    form = ModerateStatementForm()
    statement = statements.get(statement_id)
    if not form.validate_on_submit():
        raise InvalidInput({"reason": _("The reason may be at most 500 characters.")})
    act(current_user, statement.id, form.reason.data or "")
    events.publish("round", statement.round_id, votes.snapshot(statement.round))
    flash(done, "success")
    return redirect(safe_next(request.form.get("next")) or url_for(
        "deliberation.show_round", round_id=statement.round_id, _anchor="round-moderation"))


@bp.post("/rounds/statements/<int:statement_id>/approve")
@login_required
def approve_statement(statement_id: int):
    return _moderation(statement_id, lambda actor, sid, _reason: statements.approve(actor, sid),
                       _("The statement is approved and in the round."))


@bp.post("/rounds/statements/<int:statement_id>/reject")
@login_required
def reject_statement(statement_id: int):
    return _moderation(statement_id, statements.reject, _("The statement is rejected."))


@bp.post("/rounds/statements/<int:statement_id>/hide")
@login_required
def hide_statement(statement_id: int):
    return _moderation(statement_id, statements.hide, _("The statement is hidden."))


@bp.post("/rounds/statements/<int:statement_id>/restore")
@login_required
def restore_statement(statement_id: int):
    return _moderation(statement_id, statements.restore, _("The statement is restored."))


@bp.post("/rounds/statements/<int:statement_id>/dismiss-flags")
@login_required
def dismiss_statement_flags(statement_id: int):
    return _moderation(statement_id, statements.dismiss_flags,
                       _("The flags are dismissed; the statement stays in the round."))


@bp.post("/rounds/statements/<int:statement_id>/flag")
@login_required
@ratelimits.flagging
def flag_statement(statement_id: int):
    form = StatementFlagForm()
    statement = statements.get(statement_id)
    if not form.validate_on_submit():
        raise InvalidInput({"reason": _("Please choose a reason.")})
    statements.flag(current_user, statement.id, form.reason.data, form.text.data)
    flash(_("Thank you: a moderator will look at the statement."), "success")
    return redirect(url_for("deliberation.show_round", round_id=statement.round_id,
                            _anchor="vote"))


@bp.app_template_global()
def thread_rounds(thread) -> list:
    return rounds.in_thread(current_user, thread)


@bp.app_template_global()
def session_rounds(session) -> list:
    return rounds.in_session(current_user, session)


@bp.app_template_global()
def area_rounds(area_id: int) -> list:
    return rounds.in_area(current_user, area_id)
