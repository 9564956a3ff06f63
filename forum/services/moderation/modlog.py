"""The public moderation log: writing entries (every feature) and reading them (the log page).
There is no update or delete path: entries are append-only."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from forum.extensions import db
from forum.models.accounts import User
from forum.models.deliberation import Commitment, Proposal
from forum.models.discussion import FocusArea, Post, PostStatus, Thread, Topic
from forum.models.moderation import ModerationAction
from forum.models.rounds import Round, Statement
from forum.permissions import Action, can
from forum.permissions.discussion import area_of
from forum.services.moderation.targets import link

# Labels for the kinds of action shown on the log page. Unknown kinds show their code.
ACTION_LABELS = {
    "hide_post": _l("Hid a post"),
    "auto_hide_post": _l("Post hidden automatically after flags"),
    "restore_post": _l("Restored a post"),
    "edit_out_post": _l("Edited out personal data"),
    "approve_post": _l("Approved a post"),
    "reject_post": _l("Rejected a post"),
    "dismiss_flags": _l("Dismissed flags"),
    "hide_thread": _l("Hid a thread"),
    "restore_thread": _l("Restored a thread"),
    "lock_thread": _l("Locked a thread"),
    "unlock_thread": _l("Unlocked a thread"),
    "pin_thread": _l("Pinned a thread"),
    "unpin_thread": _l("Unpinned a thread"),
    "move_thread": _l("Moved a thread"),
    "merge_thread": _l("Merged threads"),
    "unmerge_thread": _l("Undid a merge"),
    "topic_status": _l("Changed a topic's status"),
    "warn_member": _l("Warned a member"),
    "suspend_member": _l("Suspended a member"),
    "lift_suspension": _l("Lifted a suspension"),
    "verify_member": _l("Verified a member's role"),
    "unverify_member": _l("Withdrew a verification"),
    "grant_role": _l("Changed a member's role"),
    "set_scopes": _l("Changed a moderator's focus areas"),
    "live_hide_question": _l("Hid a question in a live session"),
    "live_defer_question": _l("Deferred a question in a live session"),
    "live_merge_question": _l("Merged questions in a live session"),
    "live_remove_participant": _l("Removed a participant from a live session"),
    "appeal_upheld": _l("Upheld a decision on appeal"),
    "appeal_overturned": _l("Overturned a decision on appeal"),
    "require_staff_two_factor": _l("Required two-factor sign-in of moderators and admins"),
    "allow_staff_without_two_factor": _l("Stopped requiring two-factor sign-in of moderators "
                                         "and admins"),
    "close_proposal": _l("Closed a proposal early"),
    "record_outcome": _l("Recorded the outcome of a proposal"),
    "edit_outcome": _l("Edited the outcome of a proposal"),
    "record_commitment": _l("Recorded a commitment"),
    "close_round": _l("Closed a statement round early"),
    "approve_statement": _l("Approved a statement in a round"),
    "reject_statement": _l("Rejected a statement in a round"),
    "hide_statement": _l("Hid a statement in a round"),
    "auto_hide_statement": _l("Statement hidden automatically after flags"),
    "restore_statement": _l("Restored a statement in a round"),
    "dismiss_statement_flags": _l("Dismissed flags on a statement in a round"),
}


TARGET_LABELS = {"post": _l("the post"), "thread": _l("the thread"), "topic": _l("the topic"),
                 "user": _l("the member"), "live_question": _l("the question"),
                 "session": _l("the session"), "proposal": _l("the proposal"),
                 "commitment": _l("the commitment"), "round": _l("the statement round"),
                 "statement": _l("the statement"), "site": _l("the forum's settings")}


def target_label(target_type: str) -> str:
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def record(moderator: User | None, action: str, target_type: str, target_id: int, *,
           reason: str = "", focus_area_id: int | None = None,
           subject_user_id: int | None = None, details: dict | None = None) -> ModerationAction:
    """Add one entry to the log. Does not commit: the caller's transaction holds the action
    and its log entry together, so neither exists without the other."""
    entry = ModerationAction(moderator_id=moderator.id if moderator else None, action=action,
                             target_type=target_type, target_id=target_id, reason=reason or "",
                             focus_area_id=focus_area_id, subject_user_id=subject_user_id,
                             details=details or {})
    db.session.add(entry)
    return entry


@dataclass
class LogPage:
    entries: list[ModerationAction]
    page: int
    has_next: bool


def entries(*, focus_area_id: int | None = None, action: str | None = None,
            subject_user_id: int | None = None, page: int = 1, per_page: int = 50) -> LogPage:
    """Log entries, newest first, optionally for one focus area, kind of action or member."""
    query = select(ModerationAction).order_by(ModerationAction.id.desc())
    if focus_area_id is not None:
        query = query.where(ModerationAction.focus_area_id == focus_area_id)
    if action:
        query = query.where(ModerationAction.action == action)
    if subject_user_id is not None:
        query = query.where(ModerationAction.subject_user_id == subject_user_id)
    page = max(page, 1)
    rows = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return LogPage(rows[:per_page], page, len(rows) > per_page)


def history_of(user_id: int, limit: int = 10) -> list[ModerationAction]:
    """The latest decisions about one member (shown to moderators in the queue)."""
    return entries(subject_user_id=user_id, per_page=limit).entries


def focus_areas() -> list:
    """The focus areas, for filters."""
    return list(db.session.scalars(select(FocusArea).order_by(FocusArea.position)))


def kinds() -> list[tuple[str, str]]:
    """(code, label) of every kind of action, for the log filter."""
    return [(code, str(label)) for code, label in ACTION_LABELS.items()]


def public_link(entry: ModerationAction) -> str | None:
    """Where the item of a log entry can be seen by anyone now; None once it is hidden,
    unpublished, deleted or merged away."""

    if entry.target_type == "post":
        post = db.session.get(Post, entry.target_id)
        visible = (post is not None and post.status == PostStatus.PUBLISHED
                   and post.hidden_at is None and post.deleted_at is None
                   and post.thread.hidden_at is None)
        return link("threads.permalink", post_id=post.id) if visible else None
    if entry.target_type == "thread":
        thread = db.session.get(Thread, entry.target_id)
        visible = thread is not None and thread.hidden_at is None
        return link("threads.show", thread_id=thread.merged_into_id or thread.id) if visible else None
    if entry.target_type == "topic":
        return link("topics.show", topic_id=entry.target_id) if db.session.get(
            Topic, entry.target_id) else None
    if entry.target_type == "user":
        user = db.session.get(User, entry.target_id)
        return link("profiles.show", user_id=user.id) if user and user.is_active else None
    if entry.target_type in ("proposal", "commitment"):
        return _deliberation_link(entry)
    if entry.target_type in ("round", "statement"):
        return _round_link(entry)
    return None


def _deliberation_link(entry: ModerationAction) -> str | None:
    """A proposal or commitment, when a guest may see it (not one of an invitation-only
    session, whose existence stays within it)."""
    if entry.target_type == "proposal":
        proposal = db.session.get(Proposal, entry.target_id)
        visible = proposal is not None and can(AnonymousUserMixin(), Action.VIEW_PROPOSAL,
                                               proposal)
        return link("deliberation.show", proposal_id=proposal.id) if visible else None
    commitment = db.session.get(Commitment, entry.target_id)
    visible = commitment is not None and can(AnonymousUserMixin(), Action.VIEW_COMMITMENT,
                                             commitment)
    return link("deliberation.commitment", commitment_id=commitment.id) if visible else None


def _round_link(entry: ModerationAction) -> str | None:
    """A round (or a statement's round) when a guest may see it; a statement only while it
    is shown."""
    if entry.target_type == "statement":
        statement = db.session.get(Statement, entry.target_id)
        if statement is None or not statement.is_shown:
            return None
        round_ = statement.round
    else:
        round_ = db.session.get(Round, entry.target_id)
    if round_ is None or not can(AnonymousUserMixin(), Action.VIEW_ROUND, round_):
        return None
    return link("deliberation.show_round", round_id=round_.id)


def record_on(actor: User | None, action: str, target: Post | Thread | Topic, reason: str = "",
              **details) -> ModerationAction:
    """Log an action on a post, thread or topic, with its focus area and author."""
    kind = {Post: "post", Thread: "thread", Topic: "topic"}[type(target)]
    subject = getattr(target, "author_id", None)
    return record(actor, action, kind, target.id, reason=reason,
                  focus_area_id=area_of(target), subject_user_id=subject, details=details)
