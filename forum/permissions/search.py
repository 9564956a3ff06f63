"""Who may find a thing through search. The index holds what everyone may see (`public`),
what every signed-in member may see (`members`), and what belongs to an invite-only session
(its record, archive, proposals, rounds and statements) for those who may see that session
(`invited`, with the session's id; who that is is asked when searching). Anything narrower
(hidden, pending, rejected, deleted or merged content) is left out, so it can never show,
not even as a count or an excerpt."""
from __future__ import annotations

from flask_login import AnonymousUserMixin
from sqlalchemy import Select

from forum.models.deliberation import Proposal
from forum.models.discussion import Post, PostStatus, Thread, Topic
from forum.models.live import LiveSession, Visibility
from forum.models.rounds import Round, Statement
from forum.models.search import Audience
from forum.permissions.archives import archive_session, seen_invite_only_sessions
from forum.permissions.core import Action, can, is_member
from forum.permissions.discussion import post_shown, thread_shown

_VISITOR = AnonymousUserMixin()
_NARROWER = {None: 0, Audience.INVITED: 1, Audience.MEMBERS: 2, Audience.PUBLIC: 3}


def narrowest(*audiences: str | None) -> str | None:
    return min(audiences, key=_NARROWER.__getitem__)


def session_audience(session: LiveSession | None) -> str | None:
    """A session's audience, and so that of its archive thread, its proposals and rounds:
    an invite-only session's are for those who may see the session (`invited`)."""
    if session is None:
        return Audience.PUBLIC
    if can(_VISITOR, Action.VIEW_LIVE, session):
        return Audience.PUBLIC
    return {Visibility.MEMBERS: Audience.MEMBERS,
            Visibility.INVITE_ONLY: Audience.INVITED}.get(session.visibility)


def topic_audience(_topic: Topic) -> str | None:
    return Audience.PUBLIC  # topics are public, archived ones too


def thread_audience(thread: Thread, archive_of: LiveSession | None = None) -> str | None:
    """A thread anyone may see; the archive of a session is no wider than the session (the
    same rule as VIEW_THREAD, forum.permissions.archives)."""
    if not thread_shown(_VISITOR, thread):
        return None
    return narrowest(Audience.PUBLIC, session_audience(archive_of or archive_session(thread)))


def post_audience(post: Post, archive_of: LiveSession | None = None) -> str | None:
    """Published, neither hidden nor deleted, in a thread anyone may see."""
    if not (post_shown(_VISITOR, post) and can(_VISITOR, Action.VIEW_HIDDEN_TEXT, post)):
        return None
    return thread_audience(post.thread, archive_of)


def proposal_audience(proposal: Proposal) -> str | None:
    if can(_VISITOR, Action.VIEW_PROPOSAL, proposal):
        return narrowest(Audience.PUBLIC, session_audience(proposal.live_session))
    session = proposal.live_session
    if session is not None and session.visibility != Visibility.PUBLIC and (
            proposal.thread is None or thread_shown(_VISITOR, proposal.thread)):
        return session_audience(session)
    return None


def round_audience(round_: Round) -> str | None:
    """A round anyone may see; one in a session is no wider than the session."""
    if round_.live_session is not None:
        who = session_audience(round_.live_session)
        if who is None or (round_.thread is not None
                           and not thread_shown(_VISITOR, round_.thread)):
            return None
        return who
    return Audience.PUBLIC if can(_VISITOR, Action.VIEW_ROUND, round_) else None


def statement_audience(statement: Statement) -> str | None:
    """Published statements that are not hidden, in a round that may be found."""
    if statement.status != PostStatus.PUBLISHED or statement.hidden_at is not None:
        return None
    return round_audience(statement.round)


def audiences_for(reader) -> tuple[str, ...]:
    """The audiences that name no session whose entries a reader may find."""
    if is_member(reader):
        return (Audience.PUBLIC, Audience.MEMBERS)
    return (Audience.PUBLIC,)


def invited_sessions_for(reader) -> Select | None:
    """The sessions whose `invited` entries a reader may find (a select of ids; None: all)."""
    return seen_invite_only_sessions(reader)
