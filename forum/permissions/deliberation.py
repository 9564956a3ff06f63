"""Rules for proposals, positions, outcomes and commitments.

A proposal lives in a thread or in a live session; who may see it follows that place (an
invitation-only session's proposals are for its invitees only). Moderators of the focus area,
and the staff of the proposal's session, close proposals and record outcomes and commitments.
Only a commitment's owner reports on it."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.deliberation import Commitment, Participation, Proposal
from forum.models.discussion import Thread, TopicStatus
from forum.models.live import LiveSession, Participant, Visibility
from forum.permissions.core import Action, can, may_take_part, moderates_area, rule
from forum.permissions.discussion import moderates
from forum.permissions.live import is_session_staff


def is_session_participant(user, session: LiveSession) -> bool:
    """Joined the session's room at least once and was not removed from it."""
    removed = db.session.scalar(select(Participant.removed).where(
        Participant.session_id == session.id, Participant.user_id == user.id))
    return removed is False


# Proposals and statement rounds both live in a thread or a live session; these three checks
# are the same for both (forum/permissions/rounds.py uses them too).


def leads(user, item) -> bool:
    """Moderators of the item's focus area and the staff of its live session."""
    if not may_take_part(user):
        return False
    if moderates_area(user, item.focus_area_id):
        return True
    session = item.live_session
    return session is not None and is_session_staff(user, session)


def sees_place(user, item) -> bool:
    """Whoever may see its thread, and its live session (invitees only, when invite-only)."""
    session = item.live_session
    if session is not None and not can(user, Action.VIEW_LIVE, session):
        return False
    thread = item.thread
    return thread is None or can(user, Action.VIEW_THREAD, thread)


def open_to_members(user, item) -> bool:
    """Members taking part (not suspended), while it is open, in a place they may see that
    is not archived. Who among them may answer is the item's participation."""
    if not may_take_part(user) or not item.is_open() or not sees_place(user, item):
        return False
    thread = item.thread
    return thread is None or thread.topic.status != TopicStatus.ARCHIVED


@rule(Action.OPEN_PROPOSAL)
def _open(user, target) -> bool:
    """In a thread one may reply in: its area's moderators and verified members. In a live
    session that is on: its staff and verified members who may speak there."""
    if isinstance(target, Thread):
        return can(user, Action.REPLY, target) and (user.is_verified or moderates(user, target))
    if isinstance(target, LiveSession):
        return can(user, Action.SPEAK_LIVE, target) and (
            user.is_verified or is_session_staff(user, target))
    return False


@rule(Action.VIEW_PROPOSAL)
def _view(user, proposal: Proposal) -> bool:
    return sees_place(user, proposal)


@rule(Action.TAKE_POSITION)
def _take(user, proposal: Proposal) -> bool:
    """Members taking part (not suspended), while it is open, as its participation says."""
    if not open_to_members(user, proposal):
        return False
    if proposal.participation == Participation.VERIFIED:
        return user.is_verified
    if proposal.participation == Participation.SESSION:
        session = proposal.live_session
        return session is not None and is_session_participant(user, session)
    return True


@rule(Action.CLOSE_PROPOSAL)
def _close(user, proposal: Proposal) -> bool:
    return leads(user, proposal) and proposal.is_open()


@rule(Action.RECORD_OUTCOME)
def _record_outcome(user, proposal: Proposal) -> bool:
    """Once it has closed, by its time or early."""
    return leads(user, proposal) and not proposal.is_open()


@rule(Action.RECORD_COMMITMENT)
def _record_commitment(user, target) -> bool:
    """On a proposal with an outcome (its leaders), or in a live session (its staff)."""
    if isinstance(target, Proposal):
        return leads(user, target) and target.outcome is not None
    if isinstance(target, LiveSession):
        return can(user, Action.MODERATE_LIVE, target)
    return False


def commitment_session(commitment: Commitment) -> LiveSession | None:
    """The live session a commitment comes from, directly or through its proposal."""
    if commitment.live_session is not None:
        return commitment.live_session
    outcome = commitment.outcome
    return outcome.proposal.live_session if outcome is not None else None


@rule(Action.VIEW_COMMITMENT)
def _view_commitment(user, commitment: Commitment) -> bool:
    """Public, except what comes from an invitation-only session: its invitees only."""
    session = commitment_session(commitment)
    if session is None or session.visibility != Visibility.INVITE_ONLY:
        return True
    return can(user, Action.VIEW_LIVE, session)


@rule(Action.UPDATE_COMMITMENT)
def _update_commitment(user, commitment: Commitment) -> bool:
    return may_take_part(user) and commitment.owner_id == user.id
