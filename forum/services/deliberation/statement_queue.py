"""Round statements in the forum-wide review queue: those waiting for approval and those
with open flags, in the focus areas the moderator looks after (as posts are). The actions
are the round's own (statements.approve, reject, hide, restore, dismiss_flags)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from forum.extensions import db
from forum.models.discussion import PostStatus
from forum.models.rounds import Round, Statement, StatementFlag
from forum.permissions import Action, require
from forum.permissions.core import moderated_areas

LIMIT = 500


@dataclass
class FlaggedStatement:
    statement: Statement
    flags: list[StatementFlag] = field(default_factory=list)

    @property
    def latest(self) -> datetime:
        return max(f.created_at for f in self.flags)

    @property
    def reasons(self) -> list[str]:
        return sorted({f.reason for f in self.flags})


def _in_areas(query, actor, focus_area_id: int | None):
    areas = moderated_areas(actor)
    if areas is not None:
        query = query.where(Round.focus_area_id.in_(areas))
    if focus_area_id:
        query = query.where(Round.focus_area_id == focus_area_id)
    return query


def pending(actor, *, focus_area_id: int | None = None) -> list[Statement]:
    """Statements waiting for approval, oldest first."""
    require(actor, Action.VIEW_QUEUE)
    query = (select(Statement).join(Statement.round).options(contains_eager(Statement.round))
             .where(Statement.status == PostStatus.PENDING)
             .order_by(Statement.created_at, Statement.id).limit(LIMIT))
    return list(db.session.scalars(_in_areas(query, actor, focus_area_id)).unique())


def flagged(actor, *, focus_area_id: int | None = None, reason: str | None = None
            ) -> list[FlaggedStatement]:
    """Statements with open flags (hidden by the flags or not), newest flag first."""
    require(actor, Action.VIEW_QUEUE)
    query = (select(StatementFlag, Statement).join(Statement, Statement.id ==
                                                   StatementFlag.statement_id)
             .join(Round, Round.id == Statement.round_id)
             .where(StatementFlag.resolved_at.is_(None))
             .order_by(StatementFlag.id.desc()).limit(LIMIT))
    items: dict[int, FlaggedStatement] = {}
    for flag, statement in db.session.execute(_in_areas(query, actor, focus_area_id)):
        items.setdefault(statement.id, FlaggedStatement(statement)).flags.append(flag)
    found = list(items.values())
    if reason:
        found = [i for i in found if any(f.reason == reason for f in i.flags)]
    return sorted(found, key=lambda i: i.latest, reverse=True)
