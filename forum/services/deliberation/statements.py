"""Statements in a round: submitting one (at most 280 characters, held for a moderator when
the round or the member is pre-moderated), approving or rejecting held ones, flagging, hiding
and restoring. Every moderator action is in the public moderation log. Statements are shown
without their authors (as in Pol.is): they stand on their own, and a live session's
attribution mode can never be undone by a name beside a statement."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from forum import ids
from forum.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.discussion import PostStatus
from forum.models.moderation import FlagReason
from forum.models.rounds import MAX_STATEMENT_CHARS, Round, Statement, StatementFlag
from forum.permissions import Action, can, require
from forum.permissions.core import is_suspended, may_take_part, refusal_message
from forum.services.deliberation import round_groups, rounds
from forum.services.discussion import policy
from forum.services.moderation import modlog
from forum.services.moderation.review import tell_flaggers
from forum.services.moderation.targets import clean_reason

MAX_FLAG_TEXT = 1000


def clean_text(text) -> str:
    if not isinstance(text, str):
        raise InvalidInput({"text": _("Write your statement.")}, code="invalid")
    text = " ".join(text.split())
    if not text:
        raise InvalidInput({"text": _("Write your statement.")}, code="invalid")
    if len(text) > MAX_STATEMENT_CHARS:
        raise InvalidInput({"text": _("A statement may be at most %(n)d characters.",
                                      n=MAX_STATEMENT_CHARS)}, code="too_long")
    return text


def refusal(actor, round_: Round) -> str:
    """Why this member may not take part in the round, in words."""
    if not round_.is_open():
        return rounds.closed_message()
    if may_take_part(actor) and not is_suspended(actor):
        if not can(actor, Action.VIEW_ROUND, round_):
            return _("This round is only for the participants of where it was opened.")
        if round_.participation.value == "verified" and not actor.is_verified:
            return _("Only verified members take part in this round.")
        if round_.participation.value == "session":
            return _("Only the participants of the live session take part in this round.")
    return refusal_message(actor, Action.TAKE_PART_IN_ROUND)


def require_part(actor, round_: Round) -> None:
    """Refuse (409 when closed, else 403) unless the member may take part."""
    if not round_.is_open():
        raise Conflict(rounds.closed_message(), code="closed")
    if not can(actor, Action.TAKE_PART_IN_ROUND, round_):
        require(actor, Action.TAKE_PART_IN_ROUND, round_, refusal(actor, round_))


def held(actor: User, round_: Round) -> bool:
    """Does a new statement wait for a moderator? In pre-moderated rounds, and for members
    whose posts are still pre-moderated; never for the round's leaders."""
    if can(actor, Action.MODERATE_ROUND, round_):
        return False
    return round_.premoderate or policy.needs_premoderation(actor)


@dataclass
class Submitted:
    statement: Statement
    published: bool


def submit(actor: User, round_id, text) -> Submitted:
    round_ = rounds.get(round_id)
    require_part(actor, round_)
    text = clean_text(text)
    duplicate = db.session.scalar(select(Statement.id).where(
        Statement.round_id == round_.id, func.lower(Statement.text) == text.lower(),
        Statement.status != PostStatus.REJECTED))
    if duplicate is not None:
        raise InvalidInput({"text": _("That statement is already in the round.")},
                           code="duplicate")
    status = PostStatus.PENDING if held(actor, round_) else PostStatus.PUBLISHED
    if not _bump(round_.id):
        raise Conflict(rounds.closed_message(), code="closed")
    statement = Statement(round_id=round_.id, author_id=actor.id, text=text,
                          sector=actor.sector, status=status)
    db.session.add(statement)
    db.session.commit()
    return Submitted(statement, status == PostStatus.PUBLISHED)


def _bump(round_id: int, *, open_only: bool = True) -> int | None:
    """Take the round's row for this transaction and count a change; None if it has closed
    (for changes only an open round accepts)."""
    version = round_groups.take_round(round_id, open_only=open_only)
    if version is None:
        db.session.rollback()
    return version


def check_id(statement_id) -> None:
    if not ids.is_id(statement_id):
        raise InvalidInput({"statement_id": _("A statement number is needed.")})


def get(statement_id) -> Statement:
    check_id(statement_id)
    statement = db.session.get(Statement, statement_id)
    if statement is None:
        raise NotFound(_("There is no such statement."))
    return statement


def _moderated(actor: User, statement_id) -> Statement:
    statement = get(statement_id)
    require(actor, Action.MODERATE_ROUND, statement.round)
    return statement


def _log(actor: User | None, action: str, statement: Statement, reason: str = "",
         **details) -> None:
    modlog.record(actor, action, "statement", statement.id, reason=reason,
                  focus_area_id=statement.round.focus_area_id,
                  subject_user_id=statement.author_id,
                  details={"round_id": statement.round_id, **details})


def approve(actor: User, statement_id) -> Statement:
    statement = _moderated(actor, statement_id)
    if statement.status != PostStatus.PENDING:
        raise Conflict(_("This statement is not waiting for approval."))
    _bump(statement.round_id, open_only=False)
    statement.status = PostStatus.PUBLISHED
    _log(actor, "approve_statement", statement)
    db.session.commit()
    return statement


def reject(actor: User, statement_id, reason: str) -> Statement:
    statement = _moderated(actor, statement_id)
    if statement.status != PostStatus.PENDING:
        raise Conflict(_("This statement is not waiting for approval."))
    reason = clean_reason(reason)
    statement.status = PostStatus.REJECTED
    _log(actor, "reject_statement", statement, reason)
    db.session.commit()
    return statement


def hide(actor: User, statement_id, reason: str) -> Statement:
    """Hidden statements leave the voting order and the results; their votes are kept."""
    statement = _moderated(actor, statement_id)
    reason = clean_reason(reason)
    if statement.hidden_at is not None:
        raise Conflict(_("This statement is already hidden."))
    _bump(statement.round_id, open_only=False)
    statement.hidden_at, statement.hidden_by_id, statement.hidden_reason = (
        utcnow(), actor.id, reason)
    _resolve_flags(actor, statement)
    _log(actor, "hide_statement", statement, reason)
    db.session.commit()
    return statement


def restore(actor: User, statement_id, reason: str = "") -> Statement:
    statement = _moderated(actor, statement_id)
    reason = clean_reason(reason, required=False)
    if statement.hidden_at is None:
        raise Conflict(_("This statement is not hidden."))
    _bump(statement.round_id, open_only=False)
    statement.hidden_at, statement.hidden_by_id, statement.hidden_reason = None, None, ""
    _resolve_flags(actor, statement)
    _log(actor, "restore_statement", statement, reason)
    db.session.commit()
    return statement


def dismiss_flags(actor: User, statement_id, reason: str = "") -> Statement:
    """The flags are not upheld: they are resolved, and a hide that the flags caused (not a
    moderator) is lifted, as for posts."""
    statement = _moderated(actor, statement_id)
    reason = clean_reason(reason, required=False)
    if not open_flag_count(statement.id):
        raise Conflict(_("There are no open flags on this statement."))
    if statement.hidden_at is not None and statement.hidden_by_id is None:
        _bump(statement.round_id, open_only=False)
        statement.hidden_at, statement.hidden_reason = None, ""
    _resolve_flags(actor, statement)
    _log(actor, "dismiss_statement_flags", statement, reason)
    db.session.commit()
    return statement


def flag(actor: User, statement_id, reason, text: str = "") -> StatementFlag:
    """Members flag a shown statement of someone else, once each. Flags from
    FLAG_AUTO_HIDE_COUNT members hide it until a moderator looks."""
    statement = get(statement_id)
    round_ = statement.round
    if not may_take_part(actor) or not can(actor, Action.VIEW_ROUND, round_):
        raise Forbidden(refusal(actor, round_))
    if not statement.is_shown:
        raise InvalidInput({"statement_id": _("This statement is not shown.")}, code="hidden")
    if statement.author_id == actor.id:
        raise InvalidInput({"statement_id": _("You cannot flag your own statement.")},
                           code="own")
    try:
        reason = FlagReason(reason).value
    except ValueError:
        raise InvalidInput({"reason": _("Please choose a reason.")}) from None
    text = (text or "").strip() if isinstance(text, str) else ""
    if reason == FlagReason.OTHER and not text:
        raise InvalidInput({"text": _("Please say what is wrong.")})
    if len(text) > MAX_FLAG_TEXT:
        raise InvalidInput({"text": _("At most %(n)s characters.", n=MAX_FLAG_TEXT)})
    if db.session.scalar(select(StatementFlag.id).where(
            StatementFlag.statement_id == statement.id,
            StatementFlag.reporter_id == actor.id)) is not None:
        raise Conflict(_("You have already flagged this."), code="already_flagged")
    item = StatementFlag(statement_id=statement.id, reporter_id=actor.id, reason=reason,
                         text=text)
    db.session.add(item)
    db.session.flush()
    _auto_hide(statement)
    db.session.commit()
    return item


def _auto_hide(statement: Statement) -> None:
    needed = current_app.config["FLAG_AUTO_HIDE_COUNT"]
    flaggers = open_flag_count(statement.id)
    if needed > 0 and flaggers >= needed and statement.hidden_at is None:
        _bump(statement.round_id, open_only=False)
        reason = _("Hidden pending review: flagged by %(n)s members.", n=flaggers)
        statement.hidden_at, statement.hidden_reason = utcnow(), reason
        _log(None, "auto_hide_statement", statement, reason, flags=flaggers)


def open_flag_count(statement_id: int) -> int:
    return db.session.scalar(select(func.count(StatementFlag.id)).where(
        StatementFlag.statement_id == statement_id, StatementFlag.resolved_at.is_(None))) or 0


def _resolve_flags(actor: User, statement: Statement) -> None:
    """Resolve the open flags; their reporters get the notice flaggers of posts get."""
    reporters = db.session.scalars(update(StatementFlag).where(
        StatementFlag.statement_id == statement.id, StatementFlag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id)
        .returning(StatementFlag.reporter_id)
        .execution_options(synchronize_session=False)).all()
    tell_flaggers(reporters, {"what": "statement", "statement_id": statement.id,
                              "round_id": statement.round_id})


# --- Reading ----------------------------------------------------------------------------------


def mine(viewer, round_: Round) -> list[Statement]:
    if not isinstance(viewer, User):
        return []
    return list(db.session.scalars(select(Statement).where(
        Statement.round_id == round_.id, Statement.author_id == viewer.id)
        .order_by(Statement.id)))


def shown(round_: Round, limit: int | None = None) -> list[Statement]:
    """The round's shown statements, newest first."""
    query = select(Statement).where(
        Statement.round_id == round_.id, Statement.status == PostStatus.PUBLISHED,
        Statement.hidden_at.is_(None)).order_by(Statement.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


@dataclass
class Review:
    pending: list[Statement]
    flagged: list[tuple[Statement, int]]
    hidden: list[Statement]
    shown: list[Statement]


def review(actor, round_: Round) -> Review | None:
    """What the round's leaders act on; None for everyone else."""
    if not can(actor, Action.MODERATE_ROUND, round_):
        return None
    rows = list(db.session.scalars(select(Statement).where(
        Statement.round_id == round_.id).order_by(Statement.id)))
    flags = dict(db.session.execute(select(StatementFlag.statement_id, func.count())
                                    .join(Statement).where(
        Statement.round_id == round_.id, StatementFlag.resolved_at.is_(None))
        .group_by(StatementFlag.statement_id)).all())
    return Review([s for s in rows if s.status == PostStatus.PENDING],
                  [(s, flags[s.id]) for s in rows if s.id in flags and s.hidden_at is None],
                  [s for s in rows if s.hidden_at is not None],
                  [s for s in rows if s.is_shown])


def pending_count(round_: Round) -> int:
    return db.session.scalar(select(func.count(Statement.id)).where(
        Statement.round_id == round_.id, Statement.status == PostStatus.PENDING)) or 0
