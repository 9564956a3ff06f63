"""Appeals: a member contests a decision about their own content once; another moderator
of the area decides. Overturning undoes the decision where it can be undone."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from forum.exceptions import Conflict, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import Suspension, User
from forum.models.base import utcnow
from forum.models.discussion import Post, PostStatus, Revision, Thread
from forum.models.moderation import Appeal, AppealStatus, ModerationAction
from forum.permissions import Action, require
from forum.permissions.core import moderated_areas
from forum.permissions.moderation import APPEALABLE
from forum.services import notifications
from forum.services.discussion import posting
from forum.services.moderation import modlog, sanctions
from forum.services.moderation.targets import clean_reason

MAX_APPEAL_CHARS = 2000


def get_action(action_id: int) -> ModerationAction:
    entry = db.session.get(ModerationAction, action_id)
    if entry is None:
        raise NotFound(_("There is no such decision."))
    return entry


def appeal_of(action_id: int) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.action_id == action_id))


def file(actor: User, action_id: int, text: str) -> Appeal:
    """Members appeal a decision about their own content or account, once per decision."""
    entry = get_action(action_id)
    require(actor, Action.APPEAL, entry)
    text = (text or "").strip()
    if not text:
        raise InvalidInput({"text": _("Please say why the decision should change.")})
    if len(text) > MAX_APPEAL_CHARS:
        raise InvalidInput({"text": _("At most %(n)s characters.", n=MAX_APPEAL_CHARS)})
    if appeal_of(entry.id) is not None:
        raise Conflict(_("You have already appealed this decision."), code="already_appealed")
    appeal = Appeal(action_id=entry.id, appellant_id=actor.id, text=text)
    db.session.add(appeal)
    db.session.commit()
    return appeal


def pending(actor: User) -> list[Appeal]:
    """Open appeals in the moderator's areas, oldest first (including ones they cannot decide,
    which the page marks)."""
    require(actor, Action.VIEW_QUEUE)
    query = (select(Appeal).join(ModerationAction, ModerationAction.id == Appeal.action_id)
             .where(Appeal.status == AppealStatus.PENDING).order_by(Appeal.id))
    areas = moderated_areas(actor)
    if areas is not None:
        query = query.where(ModerationAction.focus_area_id.in_(areas))
    return list(db.session.scalars(query))


def get_appeal(appeal_id: int) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(_("There is no such appeal."))
    return appeal


def for_decider(actor: User, appeal_id: int) -> Appeal:
    """An appeal's page is for the moderators who may decide it: of the decision's area,
    never the one who made the decision, never the appellant."""
    appeal = get_appeal(appeal_id)
    require(actor, Action.DECIDE_APPEAL, appeal,
            _("Only another moderator of this area may open this appeal."))
    return appeal


def decide(actor: User, appeal_id: int, overturn: bool, reason: str) -> Appeal:
    """Another moderator (never the one who decided, never the appellant) upholds or
    overturns the decision. Overturning restores hidden, rejected or edited content and
    lifts a suspension. The appellant is told either way."""
    appeal = get_appeal(appeal_id)
    require(actor, Action.DECIDE_APPEAL, appeal)
    if appeal.status != AppealStatus.PENDING:
        raise Conflict(_("This appeal has already been decided."))
    reason = clean_reason(reason)
    if overturn:
        _undo(actor, appeal.action, reason)
    appeal.status = AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD
    appeal.decided_by_id, appeal.decided_at = actor.id, utcnow()
    appeal.decision_reason = reason
    entry = appeal.action
    modlog.record(actor, "appeal_overturned" if overturn else "appeal_upheld", entry.target_type,
                  entry.target_id, reason=reason, focus_area_id=entry.focus_area_id,
                  subject_user_id=entry.subject_user_id,
                  details={"appeal": appeal.id, "decision": entry.id})
    notifications.notify(appeal.appellant_id, "appeal_decided",
                         {"overturned": overturn, "reason": reason, "appeal_id": appeal.id},
                         actor_id=actor.id)
    db.session.commit()
    return appeal


def _undo(actor: User, entry: ModerationAction, reason: str) -> None:
    """Undo what can be undone; a warning simply stands withdrawn in the log."""
    if entry.target_type == "post":
        post = db.session.get(Post, entry.target_id)
        if entry.action in ("hide_post", "auto_hide_post") and post.hidden_at is not None:
            post.hidden_at = post.hidden_by_id = post.hidden_reason = None
        elif entry.action == "reject_post" and post.status == PostStatus.REJECTED:
            posting.publish(post)
        elif entry.action == "edit_out_post":
            _restore_text(actor, post, entry, reason)
    elif entry.target_type == "thread" and entry.action == "hide_thread":
        thread = db.session.get(Thread, entry.target_id)
        thread.hidden_at = thread.hidden_by_id = thread.hidden_reason = None
    elif entry.action == "suspend_member":
        suspension = db.session.scalar(select(Suspension).where(
            Suspension.user_id == entry.subject_user_id, Suspension.lifted_at.is_(None))
            .order_by(Suspension.id.desc()))
        if suspension is not None:
            sanctions.lift(actor, suspension.id, reason, via_appeal=True)


def _restore_text(actor: User, post: Post, entry: ModerationAction, reason: str) -> None:
    """Put back the text from before the personal-data edit (kept as a revision)."""
    revision = db.session.get(Revision, int(entry.details.get("revision") or 0))
    if revision is None or revision.post_id != post.id:
        return
    db.session.add(Revision(post_id=post.id, editor_id=actor.id, body_source=post.body_source,
                            moderator_only=True, reason=reason))
    post.body_source, post.body_html = revision.body_source, posting.render(revision.body_source)


def latest_decision_for(actor: User, target_type: str, target_id: int) -> ModerationAction:
    """The latest appealable decision about this member's post or thread."""
    entry = db.session.scalar(select(ModerationAction).where(
        ModerationAction.target_type == target_type, ModerationAction.target_id == target_id,
        ModerationAction.subject_user_id == actor.id,
        ModerationAction.action.in_(APPEALABLE)).order_by(ModerationAction.id.desc()))
    if entry is None:
        raise NotFound(_("There is no decision to appeal here."))
    return entry
