"""Proposals, positions, outcomes and the commitments ledger. Every page works without
JavaScript (forms post and redirect); with it, results update live (see events.py)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.blueprints.deliberation import bp, events
from forum.blueprints.deliberation.forms import (
    CloseForm,
    CommitmentForm,
    CommitmentStatusForm,
    OutcomeForm,
    PositionForm,
    ProposalForm,
)
from forum.exceptions import InvalidInput
from forum.models.accounts import Sector
from forum.models.deliberation import CommitmentStatus
from forum.permissions import Action, require
from forum.redirects import safe_next
from forum.services.deliberation import commitments, outcomes, positions, proposals, reading
from forum.services.discussion import posting
from forum.services.live import sessions as live_sessions


def _proposal_data(form: ProposalForm) -> proposals.ProposalData:
    return proposals.ProposalData(
        title=form.title.data, statement=form.statement.data,
        background=form.background.data or "", participation=form.participation.data,
        closes_at=live_sessions.local_to_utc(form.closes_at.data))


@bp.route("/threads/<int:thread_id>/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal(thread_id: int):
    thread = posting.get_thread(thread_id)
    proposals.require_open(current_user, thread)
    form = ProposalForm()
    form.offer(in_session=False)
    if form.validate_on_submit():
        try:
            proposal = proposals.open_in_thread(current_user, thread.id, _proposal_data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return redirect(url_for("deliberation.show", proposal_id=proposal.id))
    return render_template("deliberation/new.html", form=form, thread=thread,
                           session=None), form.page_status()


@bp.route("/live/<int:session_id>/proposals/new", methods=["GET", "POST"])
@login_required
def new_session_proposal(session_id: int):
    session = live_sessions.for_viewer(current_user, session_id)
    proposals.require_open(current_user, session)
    form = ProposalForm(data=None if request.method == "POST" else {
        "closes_at": live_sessions.form_data(session)["ends_at"]})
    form.offer(in_session=True)
    if form.validate_on_submit():
        try:
            proposal, wires = proposals.open_in_session(current_user, session.id,
                                                        _proposal_data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            events.publish_to_live_room(wires)
            return redirect(url_for("live.show", session_id=session.id,
                                    _anchor=f"proposal-{proposal.id}"))
    return render_template("deliberation/new.html", form=form, thread=None,
                           session=session), form.page_status()


@bp.get("/proposals/<int:proposal_id>")
def show(proposal_id: int):
    return _show(proposal_id, PositionForm(), 200)


def _show(proposal_id: int, form: PositionForm, status: int):
    view = reading.proposal_page(current_user, proposal_id)
    return render_template("deliberation/show.html", view=view, proposal=view.proposal,
                           form=form, close_form=CloseForm()), status


@bp.get("/proposals/<int:proposal_id>/card")
def card(proposal_id: int):
    """The proposal's card alone (an HTML fragment the live room inserts)."""
    return render_template("deliberation/card.html", card=reading.card(current_user,
                                                                       proposal_id))


@bp.post("/proposals/<int:proposal_id>/position")
@login_required
def position(proposal_id: int):
    form = PositionForm()
    if form.validate_on_submit():
        try:
            taken = positions.take(current_user, proposal_id, form.stance.data,
                                   form.reason.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            _publish(taken)
            flash(_("Your position has been saved."), "success")
            return redirect(safe_next(request.form.get("next")) or url_for(
                "deliberation.show", proposal_id=proposal_id, _anchor="position"))
    return _show(proposal_id, form, 400)


def _publish(taken: positions.Taken) -> None:
    if taken.changed:
        events.publish_to_live_room(taken.events)
        events.publish("proposal", taken.position.proposal_id, taken.broadcast)


@bp.post("/proposals/<int:proposal_id>/close")
@login_required
def close(proposal_id: int):
    form = CloseForm()
    if not form.validate_on_submit():
        flash(_("The reason may be at most 500 characters."), "error")
        return redirect(url_for("deliberation.show", proposal_id=proposal_id))
    proposal, wires = proposals.close(current_user, proposal_id, form.reason.data)
    events.publish_to_live_room(wires)
    events.publish("proposal", proposal.id, reading.card(current_user, proposal.id).tally)
    flash(_("The proposal is closed. You can now record its outcome."), "success")
    return redirect(url_for("deliberation.outcome", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>/outcome", methods=["GET", "POST"])
@login_required
def outcome(proposal_id: int):
    proposal = proposals.get(proposal_id)
    require(current_user, Action.RECORD_OUTCOME, proposal)
    form = OutcomeForm(obj=_outcome_fields(proposal) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            outcomes.save(current_user, proposal.id, outcomes.OutcomeData(
                form.kind.data, form.decision.data, form.next_steps.data or ""))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("The outcome has been recorded and posted in the thread."), "success")
            return redirect(url_for("deliberation.show", proposal_id=proposal.id,
                                    _anchor="outcome"))
    return render_template("deliberation/outcome.html", form=form,
                           proposal=proposal), form.page_status()


def _outcome_fields(proposal):
    recorded = proposal.outcome
    if recorded is None:
        return None
    return type("Fields", (), {"kind": recorded.kind.value, "decision": recorded.decision_source,
                               "next_steps": recorded.next_steps_source})


def _commitment_data(form: CommitmentForm) -> commitments.CommitmentData:
    return commitments.CommitmentData(
        owner_email=form.owner_email.data, text=form.text.data, due_on=form.due_on.data,
        review_on=form.review_on.data, organisation=form.organisation.data or "")


@bp.route("/proposals/<int:proposal_id>/commitments/new", methods=["GET", "POST"])
@login_required
def new_outcome_commitment(proposal_id: int):
    proposal = proposals.get(proposal_id)
    require(current_user, Action.RECORD_COMMITMENT, proposal)
    form = CommitmentForm()
    if form.validate_on_submit():
        try:
            made = commitments.record_for_outcome(current_user, proposal.id,
                                                  _commitment_data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return redirect(url_for("deliberation.commitment", commitment_id=made.id))
    return render_template("deliberation/new_commitment.html", form=form, proposal=proposal,
                           session=None), form.page_status()


@bp.route("/live/<int:session_id>/commitments/new", methods=["GET", "POST"])
@login_required
def new_session_commitment(session_id: int):
    session = live_sessions.for_viewer(current_user, session_id)
    require(current_user, Action.RECORD_COMMITMENT, session)
    form = CommitmentForm()
    if form.validate_on_submit():
        try:
            made = commitments.record_for_session(current_user, session.id,
                                                  _commitment_data(form))
        except InvalidInput as err:
            err.attach_to(form)
        else:
            return redirect(url_for("deliberation.commitment", commitment_id=made.id))
    return render_template("deliberation/new_commitment.html", form=form, proposal=None,
                           session=session), form.page_status()


@bp.get("/commitments")
def ledger():
    wanted = commitments.LedgerFilter(
        focus_area_id=request.args.get("area", type=int), sector=request.args.get("sector"),
        owner_id=request.args.get("owner", type=int), status=request.args.get("status"),
        page=request.args.get("page", 1, type=int))
    return render_template("deliberation/ledger.html",
                           page=commitments.ledger(current_user, wanted), wanted=wanted,
                           areas=commitments.areas(), owners=commitments.owners(current_user),
                           sectors=list(Sector), statuses=list(CommitmentStatus))


@bp.get("/commitments/<int:commitment_id>")
def commitment(commitment_id: int):
    return _commitment_page(commitment_id, CommitmentStatusForm(), 200)


def _commitment_page(commitment_id: int, form: CommitmentStatusForm, status: int):
    item = commitments.for_viewer(current_user, commitment_id)
    if request.method == "GET":
        form.status.data = item.status.value
    return render_template("deliberation/commitment.html", commitment=item, form=form,
                           history=commitments.history(item), source=commitments.source_of(item),
                           today=commitments.today()), status


@bp.post("/commitments/<int:commitment_id>/status")
@login_required
def update_commitment(commitment_id: int):
    form = CommitmentStatusForm()
    if form.validate_on_submit():
        try:
            commitments.update_status(current_user, commitment_id, form.status.data,
                                      form.note.data)
        except InvalidInput as err:
            err.attach_to(form)
        else:
            flash(_("Thank you: the status is updated."), "success")
            return redirect(url_for("deliberation.commitment", commitment_id=commitment_id))
    return _commitment_page(commitment_id, form, 400)


@bp.app_template_global()
def thread_proposals(thread) -> list:
    """The proposals a thread page lists (its own, and its session's when an archive)."""
    return proposals.in_thread(current_user, thread)


@bp.app_template_global()
def session_proposals(session) -> list:
    return proposals.in_session(current_user, session)


@bp.app_template_global()
def area_deliberation(area_id: int):
    return proposals.in_area(current_user, area_id)


@bp.app_template_global()
def proposal_tally(proposal) -> dict:
    return reading.tally_of(proposal)


@bp.app_template_global()
def my_position(proposal):
    return positions.mine(current_user._get_current_object(), proposal)


@bp.app_template_global()
def position_refusal(proposal) -> str:
    return positions.refusal_for(current_user._get_current_object(), proposal)


@bp.app_template_global()
def session_commitments(session) -> list:
    return commitments.from_session(current_user, session)


@bp.record_once
def _globals(state) -> None:
    """Label tables the deliberation macros use, also on other features' pages (imported
    macros see globals, not context processors)."""
    from forum.models import deliberation as models
    from forum.models import rounds as rounds_models

    state.app.jinja_env.globals.update(
        stance_labels=models.STANCE_LABELS, stance_help=models.STANCE_HELP,
        stances=list(models.Stance), outcome_labels=models.OUTCOME_LABELS,
        participation_labels=models.PARTICIPATION_LABELS,
        commitment_status_labels=models.COMMITMENT_STATUS_LABELS,
        commitments_today=commitments.today, choice_labels=rounds_models.CHOICE_LABELS,
        format_day=lambda day: format_date(day, "medium"))
