"""Rules for statement rounds. A round lives in a thread or a live session and is seen by
whoever may see that place (an invitation-only session's rounds: its invitees only). The
area's moderators and the session's staff open, close and moderate rounds."""
from __future__ import annotations

from forum.models.deliberation import Participation
from forum.models.discussion import Thread, TopicStatus
from forum.models.live import LiveSession
from forum.models.rounds import Round
from forum.permissions.core import Action, can, may_take_part, moderates_area, rule
from forum.permissions.deliberation import is_session_participant
from forum.permissions.discussion import moderates
from forum.permissions.live import is_session_staff


def leads_round(user, round_: Round) -> bool:
    """Moderators of the round's focus area and the staff of its live session."""
    if not may_take_part(user):
        return False
    if moderates_area(user, round_.focus_area_id):
        return True
    session = round_.live_session
    return session is not None and is_session_staff(user, session)


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
    session = round_.live_session
    if session is not None and not can(user, Action.VIEW_LIVE, session):
        return False
    thread = round_.thread
    return thread is None or can(user, Action.VIEW_THREAD, thread)


@rule(Action.TAKE_PART_IN_ROUND)
def _take_part(user, round_: Round) -> bool:
    """Members taking part (not suspended), while it is open, as its participation says."""
    if not may_take_part(user) or not round_.is_open() or not _view(user, round_):
        return False
    thread = round_.thread
    if thread is not None and thread.topic.status == TopicStatus.ARCHIVED:
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
    return leads_round(user, round_)
