"""Outcomes: what was decided on a closed proposal. A moderator of its area (or its session's
staff) records it once the proposal has closed; the final tallies are frozen into it; it is
posted in the proposal's thread (a session's proposals: the archive thread) and listed on
the focus area page. Recording and editing are in the public moderation log; an edit keeps
the earlier text as a revision of the post."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from forum.exceptions import Conflict, InvalidInput
from forum.extensions import db
from forum.models.accounts import SECTOR_LABELS, Sector, User
from forum.models.base import utcnow
from forum.models.deliberation import (
    OUTCOME_LABELS,
    STANCE_LABELS,
    Outcome,
    OutcomeKind,
    Position,
    Proposal,
    Stance,
)
from forum.models.discussion import Post, PostStatus, Revision
from forum.models.live import Visibility
from forum.permissions import Action, require
from forum.services import notifications
from forum.services.deliberation import proposals, results, seen
from forum.services.discussion import posting
from forum.services.moderation import modlog

MAX_TEXT_CHARS = 10_000


@dataclass
class OutcomeData:
    kind: str
    decision: str
    next_steps: str = ""


def proposal_path(proposal_id: int) -> str:
    """The public address of a proposal (part of the URL contract), for post bodies."""
    return f"/proposals/{proposal_id}"


def _clean(data: OutcomeData) -> dict:
    errors = {}
    if data.kind not in [k.value for k in OutcomeKind]:
        errors["kind"] = _("Choose what was decided.")
    decision = (data.decision or "").replace("\r\n", "\n").strip()
    if not decision or len(decision) > MAX_TEXT_CHARS:
        errors["decision"] = _("Describe the decision or the state of agreement, in at most "
                               "%(n)d characters.", n=MAX_TEXT_CHARS)
    next_steps = (data.next_steps or "").replace("\r\n", "\n").strip()
    if len(next_steps) > MAX_TEXT_CHARS:
        errors["next_steps"] = _("At most %(n)d characters.", n=MAX_TEXT_CHARS)
    if errors:
        raise InvalidInput(errors)
    return {"kind": OutcomeKind(data.kind), "decision_source": decision,
            "decision_html": posting.render(decision), "next_steps_source": next_steps,
            "next_steps_html": posting.render(next_steps) if next_steps else ""}


def save(actor: User, proposal_id: int, data: OutcomeData) -> Outcome:
    """Record the outcome of a closed proposal, or edit the one recorded."""
    proposal = proposals.get(proposal_id)
    if proposal.is_open():
        raise Conflict(_("Close the proposal before recording its outcome."), code="open")
    require(actor, Action.RECORD_OUTCOME, proposal)
    fields = _clean(data)
    if proposal.outcome is None:
        return _record(actor, proposal, fields)
    return _edit(actor, proposal.outcome, fields)


def _record(actor: User, proposal: Proposal, fields: dict) -> Outcome:
    thread = seen.thread_of(proposal)
    if thread is None:
        raise Conflict(_("The outcome is posted in the session's archive thread: end the "
                         "session first."), code="no_thread")
    outcome = Outcome(proposal_id=proposal.id, recorded_by_id=actor.id,
                      final_tally=results.tally(proposal, status="closed"), **fields)
    db.session.add(outcome)
    db.session.flush()
    outcome.proposal = proposal
    post = posting.append_post(thread, actor, _post_body(outcome), status=PostStatus.PUBLISHED)
    outcome.post_id = post.id
    modlog.record(actor, "record_outcome", "proposal", proposal.id,
                  focus_area_id=proposal.focus_area_id, subject_user_id=proposal.author_id,
                  details={"kind": outcome.kind.value, "post": post.id})
    _tell_participants(proposal, actor)
    db.session.commit()
    return outcome


def _edit(actor: User, outcome: Outcome, fields: dict) -> Outcome:
    before = {name: getattr(outcome, name) for name in fields}
    if before == fields:
        return outcome
    for name, value in fields.items():
        setattr(outcome, name, value)
    outcome.edited_at, outcome.edited_by_id = utcnow(), actor.id
    post = db.session.get(Post, outcome.post_id) if outcome.post_id else None
    if post is not None:
        db.session.add(Revision(post_id=post.id, editor_id=actor.id,
                                body_source=post.body_source, reason=_("Outcome edited")))
        post.body_source = _post_body(outcome)
        post.body_html = posting.render(post.body_source)
        post.edited_at, post.edit_count = utcnow(), Post.edit_count + 1
    proposal = outcome.proposal
    modlog.record(actor, "edit_outcome", "proposal", proposal.id,
                  focus_area_id=proposal.focus_area_id, subject_user_id=proposal.author_id,
                  details={"kind": outcome.kind.value, "was": before["kind"].value})
    db.session.commit()
    return outcome


def _tell_participants(proposal: Proposal, actor: User) -> None:
    """Everyone who took a position (and the author) hears that the outcome is recorded."""
    people = set(db.session.scalars(select(Position.user_id).where(
        Position.proposal_id == proposal.id))) | {proposal.author_id}
    for user_id in sorted(people - {actor.id}):
        notifications.notify(user_id, "proposal_outcome",
                             {"title": proposal.title, "proposal_id": proposal.id},
                             actor_id=actor.id)


def _post_body(outcome: Outcome) -> str:
    """The outcome as a post, in the site's default language (as session archives are)."""
    proposal = outcome.proposal
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        parts = [_("**Outcome of the proposal [%(title)s](%(url)s)**: %(kind)s",
                   title=proposal.title.replace("]", ")"), url=proposal_path(proposal.id),
                   kind=OUTCOME_LABELS[outcome.kind]),
                 outcome.decision_source]
        if outcome.next_steps_source:
            parts += ["### " + _("Next steps"), outcome.next_steps_source]
        session = proposal.live_session
        if session is None or session.visibility != Visibility.INVITE_ONLY:
            # an invitation-only session's positions never leave it: no figures here
            parts += ["### " + _("Final positions"), _tally_table(outcome.final_tally),
                      " ".join(outcome.final_tally["summary"].get(
                          current_app.config["BABEL_DEFAULT_LOCALE"], []))]
    return "\n\n".join(parts)


def _tally_table(tally: dict) -> str:
    """Counts by sector as a Markdown table: all members, verified members in brackets."""
    everyone, verified = tally["counts"]["all"], tally["counts"]["verified"]
    head = [_("Sector"), *[str(STANCE_LABELS[s]) for s in Stance], _("Total")]
    rows = [head, ["---"] * len(head)]

    def row(label: str, cell: dict, vcell: dict) -> list[str]:
        keys = [s.value for s in Stance] + ["count"]
        return [label, *[f"{cell[k]} ({vcell[k]})" for k in keys]]

    for sector in Sector:
        if everyone["sectors"][sector.value]["count"]:
            rows.append(row(str(SECTOR_LABELS[sector]), everyone["sectors"][sector.value],
                            verified["sectors"][sector.value]))
    rows.append(row(_("All sectors"), everyone["total"], verified["total"]))
    table = "\n".join("| " + " | ".join(cells) + " |" for cells in rows)
    return table + "\n\n" + _("In brackets: verified members alone.")
