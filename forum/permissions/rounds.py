"""Rules for statement rounds. A round lives in a thread or a live session and is seen by
whoever may see that place (an invitation-only session's rounds: its invitees only). The
area's moderators and the session's staff open, close and moderate rounds."""
from __future__ import annotations

from forum.models.deliberation import Participation
from forum.models.discussion import Thread
from forum.models.live import LiveSession
from forum.models.rounds import Round
from forum.permissions.core import Action, can, may_take_part, rule
from forum.permissions.deliberation import (
    is_session_participant,
    leads,
    open_to_members,
    sees_place,
)
from forum.permissions.discussion import moderates
from forum.permissions.live import is_session_staff


@rule(Action.OPEN_ROUND)
def _open(user, target) -> bool:
    """In a thread one may reply in: its area's moderators. In a live session: its staff."""
    if isinstance(target, Thread):
        return can(user, Action.REPLY, target) and moderates(user, target)
    if isinstance(target, LiveSession):
        return may_take_part(user) and can(user, Action.VIEW_LIVE, target) and \
            is_session_staff(user, target)
    return False


@rule(Action.VIEW_ROUND)
def _view(user, round_: Round) -> bool:
    return sees_place(user, round_)


@rule(Action.TAKE_PART_IN_ROUND)
def _take_part(user, round_: Round) -> bool:
    """Members taking part (not suspended), while it is open, as its participation says."""
    if not open_to_members(user, round_):
        return False
    if round_.participation == Participation.VERIFIED:
        return user.is_verified
    if round_.participation == Participation.SESSION:
        session = round_.live_session
        return session is not None and (is_session_participant(user, session)
                                        or is_session_staff(user, session))
    return True


@rule(Action.MODERATE_ROUND)
def _moderate(user, round_: Round) -> bool:
    return leads(user, round_)
