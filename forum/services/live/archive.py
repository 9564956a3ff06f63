"""The archive of an ended session: a thread in its topic with the questions, the chat, poll
results by sector (and the opinion shift), speaking turns and attendance by sector. Each open,
answered or deferred question continues as its own reply chain. Follows the attribution mode."""
from __future__ import annotations

from collections import Counter

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from forum import i18n
from forum.extensions import db
from forum.models.accounts import SECTOR_LABELS, Sector, User
from forum.models.discussion import PostStatus, Thread
from forum.models.live import (
    Attribution,
    LiveEvent,
    LiveSession,
    Participant,
    Poll,
    Question,
    QuestionStatus,
)
from forum.services.discussion import posting
from forum.services.live import stream

MAX_TRANSCRIPT_CHARS = 12_000
CONTINUED = (QuestionStatus.ANSWERED, QuestionStatus.OPEN, QuestionStatus.DEFERRED)


def archive(session: LiveSession, closer: User) -> Thread:
    """Write the archive thread (no commit: the caller ends the session in the same
    transaction). Posts are by the closing moderator unless the session is on the record."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("Live session: %(title)s", title=session.title)[:200]
        body = _summary(session)
    thread = posting.new_thread(session.topic, closer, title, body,
                                status=PostStatus.PUBLISHED,
                                before_posts=lambda made: _link(session, made))
    questions = db.session.scalars(select(Question).where(
        Question.session_id == session.id, Question.status.in_(CONTINUED))
        .order_by(Question.vote_count.desc(), Question.id)).all()
    for question in questions:
        author, text = _question_post(session, question, closer)
        posting.append_post(thread, author, text, status=PostStatus.PUBLISHED)
    return thread


def _link(session: LiveSession, thread: Thread) -> None:
    """Make the thread the session's archive before any post of it is announced, so the
    notices and the search index already follow the session's visibility."""
    session.archive_thread_id = thread.id
    db.session.flush()


def _who(session: LiveSession, actor: dict | None) -> str:
    if not actor:
        return _("A participant")
    if actor.get("name"):
        return actor["name"]
    if actor.get("sector"):
        return _("A participant from %(sector)s", sector=_sector(actor["sector"]))
    return _("A participant")


def _sector(value: str) -> str:
    return str(SECTOR_LABELS[Sector(value)])


def _question_post(session: LiveSession, q: Question, closer: User) -> tuple[User, str]:
    state = {QuestionStatus.ANSWERED: _("answered in the session"),
             QuestionStatus.OPEN: _("not reached in the session"),
             QuestionStatus.DEFERRED: _("deferred to this thread")}[q.status]
    header = _("**Question** (%(state)s, %(votes)d votes)", state=state, votes=q.vote_count)
    if session.attribution == Attribution.ON_RECORD:
        return q.author, f"{header}\n\n{_quote(q.body)}"
    asked = _who(session, stream.shown(session, q.author))
    return closer, f"{header}, {asked}:\n\n{_quote(q.body)}"


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())


def _summary(session: LiveSession) -> str:
    parts = [_("This thread keeps the record of the live session held %(day)s.",
               day=i18n.local_time(session.started_at or session.starts_at)
               .strftime("%Y-%m-%d %H:%M"))]
    if session.attribution != Attribution.ON_RECORD:
        parts.append(_("The session was held under the Chatham House Rule: contributions are "
                       "attributed to sectors only.") if session.chatham_house else
                     _("The session was anonymous: contributions carry no names."))
    parts += _attendance(session) + _questions(session) + _polls(session) + _turns(session)
    parts += _chat(session)
    return "\n\n".join(parts)


def _table(rows: list[tuple]) -> list[str]:
    return [" | ".join(str(c) for c in row) for row in rows]


def _attendance(session: LiveSession) -> list[str]:
    sectors = Counter(db.session.scalars(select(Participant.sector)
                                         .where(Participant.session_id == session.id)))
    lines = [f"- {_sector(s.value)}: {sectors.get(s, 0)}" for s in Sector]
    return ["## " + _("Attendance by sector"), "\n".join(lines)]


def _questions(session: LiveSession) -> list[str]:
    questions = db.session.scalars(select(Question).where(
        Question.session_id == session.id, Question.status.in_(CONTINUED))
        .order_by(Question.vote_count.desc(), Question.id)).all()
    if not questions:
        return []
    lines = [f"- ({q.vote_count}) {' '.join(q.body.split())[:200]} — "
             f"{_('answered') if q.status == QuestionStatus.ANSWERED else _('open')}"
             for q in questions]
    return ["## " + _("Questions"), "\n".join(lines),
            _("Each question continues below as its own reply.")]


def _polls(session: LiveSession) -> list[str]:
    polls = db.session.scalars(select(Poll).where(Poll.session_id == session.id)
                               .order_by(Poll.id)).all()
    out = []
    for poll in polls:
        results = stream.poll_results(poll)
        out.append(f"### {poll.question}")
        out.append(_poll_table(poll, results))
        if "before" in results:
            out.append(_("Opinion shift since the first time this was asked:"))
            out.append(_shift(poll, results["before"], results))
    return (["## " + _("Polls")] + out) if out else []


def _poll_table(poll: Poll, results: dict) -> str:
    head = [_("Sector"), *poll.choices]
    rows = [head, ["---"] * len(head), [_("All"), *results["counts"]]]
    rows += [[_sector(s), *counts] for s, counts in sorted(results["by_sector"].items())]
    return "\n".join(_table(rows))


def _shift(poll: Poll, before: dict, after: dict) -> str:
    lines = []
    for sector in sorted(set(before["by_sector"]) | set(after["by_sector"])):
        old = before["by_sector"].get(sector, [0] * len(poll.choices))
        new = after["by_sector"].get(sector, [0] * len(poll.choices))
        moves = ", ".join(f"{c}: {o} → {n}" for c, o, n in zip(poll.choices, old, new, strict=False))
        lines.append(f"- {_sector(sector)}: {moves}")
    return "\n".join(lines)


def _turns(session: LiveSession) -> list[str]:
    stats = stream.speaking_by_sector(session.id)
    lines = [f"- {_sector(s)}: " + _("%(turns)d turns, %(minutes)d min %(seconds)d s",
                                     turns=v["turns"], minutes=v["seconds"] // 60,
                                     seconds=v["seconds"] % 60)
             for s, v in stats.items() if v["turns"]]
    return ["## " + _("Speaking turns by sector"), "\n".join(lines)] if lines else []


def _chat(session: LiveSession) -> list[str]:
    events = db.session.scalars(select(LiveEvent).where(
        LiveEvent.session_id == session.id, LiveEvent.type == "chat").order_by(LiveEvent.seq))
    lines, size = [], 0
    for event in events:
        line = (f"- {i18n.local_time(event.at).strftime('%H:%M')} **{_who(session, event.actor)}**:"
                f" {' '.join(event.data.get('body', '').split())}")
        size += len(line)
        if size > MAX_TRANSCRIPT_CHARS:
            lines.append("- …")
            break
        lines.append(line)
    return (["## " + _("Chat"), "\n".join(lines)]) if lines else []
