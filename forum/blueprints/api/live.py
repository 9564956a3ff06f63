"""Live sessions: listing, one session, RSVPs, its questions (asking and upvoting), polls
(voting) and record."""
from __future__ import annotations

from flask import url_for

from forum.blueprints.api import paging
from forum.blueprints.api.auth import caller, member
from forum.blueprints.api.base import ApiBlueprint
from forum.blueprints.api.idempotency import DOC as IDEMPOTENT
from forum.blueprints.api.idempotency import idempotent
from forum.blueprints.api.schemas import live as s
from forum.blueprints.live.events import broadcast
from forum.services.live import remote, rsvps, sessions, stream

bp = ApiBlueprint("api_live", "Live sessions, their questions, polls and records.")


@bp.get("/live-sessions")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.SessionPage)
def index(limit: int, cursor: str | None):
    """The sessions the caller may see, oldest first."""
    viewer = caller()
    rows = remote.sessions_after(paging.after("live", cursor, 0), limit)
    found = paging.page(rows, limit, "live", key=lambda x: x.id,
                        keep=lambda x: remote.visible(viewer, x))
    return found, found.headers


@bp.get("/live-sessions/<id:session_id>")
@bp.reads
@bp.response(200, s.LiveSession)
def session(session_id: int):
    """One session."""
    return sessions.for_viewer(caller(), session_id)


@bp.get("/live-sessions/<id:session_id>/questions")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.QuestionPage)
def questions(session_id: int, limit: int, cursor: str | None):
    """The session's questions, as the room shows them to the caller."""
    list_id, viewer = f"live:{session_id}:questions", caller()
    found_session, rows = remote.questions(viewer, session_id,
                                           paging.after(list_id, cursor, 0), limit)
    found = paging.page(rows, limit, list_id, key=lambda q: q.id,
                        keep=lambda q: remote.question_visible(viewer, found_session, q),
                        convert=lambda q: stream.question_wire(found_session, q))
    return found, found.headers


@bp.post("/live-sessions/<id:session_id>/questions")
@bp.writes
@bp.arguments(s.NewQuestion)
@bp.doc(**IDEMPOTENT)
@idempotent
@bp.response(201, s.Asked)
def ask(data: dict, session_id: int):
    """Ask a question in a live session (as from the room; pre-moderated sessions hold it
    for a moderator)."""
    outcome = remote.ask(member(), session_id, data["body"])
    broadcast(outcome)
    answer = {"status": "open", **outcome.reply}
    location = url_for("api_live.questions", session_id=session_id, _external=True)
    return answer, 201, {"Location": location}


@bp.put("/live-sessions/<id:session_id>/questions/<id:question_id>/upvote")
@bp.writes
@bp.response(200, s.Upvoted)
def upvote(session_id: int, question_id: int):
    """Upvote an open question of a live session (not one's own), as from the room; one
    upvote per member, so doing it again changes nothing."""
    outcome, votes = remote.upvote(member(), session_id, question_id)
    broadcast(outcome)
    return {"question_id": question_id, "votes": votes}


@bp.get("/live-sessions/<id:session_id>/polls")
@bp.reads
@bp.arguments(paging.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.PollPage)
def polls(session_id: int, limit: int, cursor: str | None):
    """The session's polls, with results where the room shows them."""
    list_id = f"live:{session_id}:polls"
    _session, rows = remote.polls(caller(), session_id, paging.after(list_id, cursor, 0), limit)
    found = paging.page(rows, limit, list_id, key=lambda p: p["id"])
    return found, found.headers


@bp.put("/live-sessions/<id:session_id>/polls/<id:poll_id>/ballot")
@bp.writes
@bp.arguments(s.NewBallot)
@bp.response(200, s.Ballot)
def vote(data: dict, session_id: int, poll_id: int):
    """Vote in an open poll of a live session, as from the room. One ballot per member:
    the same ballot again changes nothing, another one is refused (409)."""
    outcome, choices = remote.vote(member(), session_id, poll_id, data["choice"])
    broadcast(outcome)
    return {"poll_id": poll_id, "choices": choices}


@bp.put("/live-sessions/<id:session_id>/rsvp")
@bp.writes
@bp.response(200, s.Rsvp)
def rsvp(session_id: int):
    """Say one will come to an upcoming or running session one may take part in (saying
    it twice keeps the first RSVP)."""
    rsvps.rsvp(member(), session_id)
    return _rsvp_state(session_id, True)


@bp.delete("/live-sessions/<id:session_id>/rsvp")
@bp.writes
@bp.response(200, s.Rsvp)
def cancel_rsvp(session_id: int):
    """Take one's RSVP back while the session is upcoming or running."""
    rsvps.cancel(member(), session_id)
    return _rsvp_state(session_id, False)


def _rsvp_state(session_id: int, coming: bool) -> dict:
    return {"session_id": session_id, "rsvp": coming, "count": rsvps.count(session_id)}


@bp.get("/live-sessions/<id:session_id>/record")
@bp.reads
@bp.response(200, s.Record)
def record(session_id: int):
    """What an ended session leaves: the session (with its archive thread), its questions
    and its polls with results (409 until it has ended)."""
    return remote.record(caller(), session_id)
