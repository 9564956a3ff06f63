"""Who may see the archive thread of a live session: those who may see the session's record
(public: anyone; members-only: signed-in members; invite-only: the invited, the session's
hosts and moderators, the area's moderators and admins). The rule for one thread and the SQL
predicate every listing and count uses are kept side by side here, so they cannot drift."""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    event,
    exists,
    false,
    or_,
    select,
    true,
)

from forum.extensions import db
from forum.models.discussion import Thread
from forum.models.live import Invitation, LiveSession, SessionPerson, Visibility
from forum.permissions.core import Action, _cached, can, is_member, moderated_areas

_KEY = ("restricted_archives",)
_NOTED = ("archive_of_thread",)  # thread id → its restricted session's id (or None), as loaded


def restricted_archives() -> dict[int, int]:
    """Archive thread id → session id, for sessions that were not public (few; asked once
    per request, and again after a session's archive or visibility is set)."""
    return _cached(_KEY, lambda: dict(db.session.execute(
        select(LiveSession.archive_thread_id, LiveSession.id).where(
            LiveSession.archive_thread_id.is_not(None),
            LiveSession.visibility != Visibility.PUBLIC)).all()))


@event.listens_for(LiveSession.archive_thread_id, "set")
@event.listens_for(LiveSession.visibility, "set")
def _forget(_target, _value, _old, _initiator) -> None:
    if has_request_context():
        facts = g.get("_permission_facts", {})
        facts.pop(_KEY, None)
        facts.pop(_NOTED, None)


def restricted_session_id(thread_id=Thread.id) -> ScalarSelect:
    """SQL: the id of the non-public session whose archive the thread is, else NULL. Loaded
    with a thread and passed to `note_archive`, it spares `may_see_archive` a query."""
    return (select(LiveSession.id).where(LiveSession.archive_thread_id == thread_id,
                                         LiveSession.visibility != Visibility.PUBLIC)
            .order_by(LiveSession.id).limit(1).scalar_subquery())


def note_archive(thread_id: int, session_id: int | None) -> None:
    """Record, for this request, what `restricted_session_id` said of a thread."""
    if has_request_context():
        g.setdefault("_permission_facts", {}).setdefault(_NOTED, {})[thread_id] = session_id


def archive_session(thread: Thread) -> LiveSession | None:
    """The non-public session a thread is the archive of, if it is one."""
    noted = g.get("_permission_facts", {}).get(_NOTED, {}) if has_request_context() else {}
    session_id = (noted[thread.id] if thread.id in noted
                  else restricted_archives().get(thread.id))
    return None if session_id is None else db.session.get(LiveSession, session_id)


def may_see_archive(user, thread: Thread) -> bool:
    """A thread that is no session's archive, or that of a session the user may see."""
    session = archive_session(thread)
    return session is None or can(user, Action.VIEW_LIVE, session)


def _unseen_session(reader) -> ColumnElement[bool] | None:
    """The condition on a LiveSession row that `reader` may not see it (None: sees all)."""
    if not is_member(reader):
        return LiveSession.visibility != Visibility.PUBLIC
    areas = moderated_areas(reader)
    if areas is None:  # admins and moderators of every area see every session
        return None
    invited = exists().where(Invitation.session_id == LiveSession.id,
                             Invitation.user_id == reader.id)
    in_session = exists().where(SessionPerson.session_id == LiveSession.id,
                                SessionPerson.user_id == reader.id)
    staff = LiveSession.focus_area_id.in_(sorted(areas)) if areas else false()
    return and_(LiveSession.visibility == Visibility.INVITE_ONLY,
                ~or_(invited, in_session, staff))


def seen_invite_only_sessions(reader) -> Select | None:
    """SQL: the ids of the invite-only sessions `reader` may see (None: every one). Search
    asks it at query time, so an invitation added or withdrawn counts at once."""
    if not is_member(reader):
        return select(LiveSession.id).where(false())
    unseen = _unseen_session(reader)
    if unseen is None:
        return None
    return select(LiveSession.id).where(LiveSession.visibility == Visibility.INVITE_ONLY,
                                        ~unseen)


def visible_threads_clause(reader, thread_id=Thread.id) -> ColumnElement[bool]:
    """SQL: the thread (`thread_id`, a column) is not the archive of a session `reader` may
    not see. Add it to every statement that lists or counts threads or their posts."""
    unseen = _unseen_session(reader)
    if unseen is None:
        return true()
    return ~exists().where(LiveSession.archive_thread_id == thread_id, unseen)


def hidden_archives_clause(reader, thread_id=Thread.id) -> ColumnElement[bool]:
    """SQL: the opposite of `visible_threads_clause` (for the counts to take off)."""
    unseen = _unseen_session(reader)
    if unseen is None:
        return false()
    return exists().where(LiveSession.archive_thread_id == thread_id, unseen)
