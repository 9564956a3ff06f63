"""Open flags as a list for API clients: in id order, in the areas the moderator looks after."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from forum.exceptions import NotFound
from forum.extensions import db
from forum.models.discussion import Thread, Topic
from forum.models.moderation import Flag
from forum.permissions import Action, can, require
from forum.permissions.core import moderated_areas


def open_flags(actor, after_id: int, limit: int) -> list[Flag]:
    """Unresolved flags, oldest first, that the moderator may decide (as the queue shows)."""
    require(actor, Action.VIEW_QUEUE)
    query = (select(Flag).join(Thread, Thread.id == Flag.thread_id)
             .join(Topic, Topic.id == Thread.topic_id)
             .where(Flag.resolved_at.is_(None), Flag.id > after_id)
             .order_by(Flag.id).limit(limit + 1))
    areas = moderated_areas(actor)
    if areas is not None:
        query = query.where(Topic.focus_area_id.in_(areas))
    return list(db.session.scalars(query))


def get(actor, flag_id: int) -> Flag:
    """One flag, for its reporter and the moderators of its area (others: not found)."""
    flag = db.session.get(Flag, flag_id)
    if flag is None or not can(actor, Action.VIEW_FLAG, flag):
        raise NotFound(_("There is no such flag."))
    return flag
