"""Positions: taking and changing one, and reading them back (reasons, who took part, each
member's history of changes).

One position per member per proposal: the database's unique constraint holds it, and a
change is an upsert that replaces the earlier stance, so concurrent submissions never count
twice. Every submission is also kept in the member's history. A reason is required for
disagree and block. Positions on a session's proposal follow the session's attribution mode
and, while the session is live, enter its ordered stream."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from forum.exceptions import Conflict, Forbidden, InvalidInput
from forum.extensions import db
from forum.models.accounts import User
from forum.models.base import insert_or_merge, utcnow
from forum.models.deliberation import Participation, Position, PositionChange, Proposal, Stance
from forum.models.discussion import TopicStatus
from forum.models.live import Attribution, Connection, SessionStatus
from forum.permissions import Action, can, require
from forum.permissions.core import is_suspended, may_take_part, refusal_message
from forum.services.deliberation import proposals, results, room
from forum.services.live import stream

MAX_REASON_CHARS = 1_000
NEEDS_REASON = (Stance.DISAGREE, Stance.BLOCK)


@dataclass
class Taken:
    """A committed position: the new tally, what watchers are sent, the room's events."""

    position: Position
    tally: dict
    events: list[dict] = field(default_factory=list)  # committed stream events (wire form)
    changed: bool = True

    @property
    def broadcast(self) -> dict:
        """The tally with the position that changed it, as any reader may see it."""
        who = shown(self.position.proposal_id, self.position.user)
        return {**self.tally, "latest": {"who": who, "stance": self.position.stance.value,
                                         "reason": self.position.reason}}


def clean_stance(stance) -> Stance:
    try:
        return Stance(stance)
    except ValueError:
        raise InvalidInput({"stance": _("Choose agree, abstain, disagree or block.")},
                           code="bad_stance") from None


def clean_reason(stance: Stance, reason) -> str:
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput({"reason": _("The reason must be text.")})
    reason = (reason or "").replace("\r\n", "\n").strip()
    if stance in NEEDS_REASON and not reason:
        raise InvalidInput({"reason": _("Please give a reason when you disagree or block.")},
                           code="reason_required")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput({"reason": _("A reason may be at most %(n)d characters.",
                                        n=MAX_REASON_CHARS)}, code="reason_too_long")
    return reason


def take(actor: User, proposal_id: int, stance, reason) -> Taken:
    """Take or change a position on an open proposal one may take part in."""
    return _take(actor, proposals.get(proposal_id), stance, reason)


def take_in_room(actor: User, proposal_id, stance, reason, sid: str
                 ) -> tuple[stream.Outcome, Taken]:
    """`take` from a socket of the live room the proposal belongs to (it must have joined).
    Gives what the room layer sends: its acknowledgement and events, and the position."""
    proposal = proposals.get(proposal_id)
    session = proposal.live_session
    if session is None:
        raise InvalidInput({"proposal_id": _("This proposal is not part of a live session.")})
    if db.session.get(Connection, (sid, session.id)) is None:
        raise Conflict(_("Join the session first."), code="not_joined")
    taken = _take(actor, proposal, stance, reason)
    reply = {"proposal_id": proposal.id, "tally": taken.tally, "changed": taken.changed}
    if taken.events:
        reply["seq"] = taken.events[-1]["seq"]
    return stream.Outcome(reply=reply, events=taken.events), taken


def _take(actor: User, proposal: Proposal, stance, reason) -> Taken:
    if not proposal.is_open():
        raise Conflict(_("This proposal has closed: positions can no longer change."),
                       code="closed")
    require(actor, Action.TAKE_POSITION, proposal, refusal(actor, proposal))
    stance = clean_stance(stance)
    reason = clean_reason(stance, reason)
    current = mine(actor, proposal)
    if current is not None and (current.stance, current.reason) == (stance, reason):
        return Taken(current, results.tally(proposal), changed=False)
    _bump_version(proposal)
    _store(actor, proposal, stance, reason)
    position = db.session.scalars(select(Position).where(
        Position.proposal_id == proposal.id, Position.user_id == actor.id)
        .execution_options(populate_existing=True)).one()
    tally = results.tally(proposal)
    session = proposal.live_session
    if session is not None and session.status == SessionStatus.LIVE:
        events = stream.commit(room.announce_position(session, actor, position, tally))
        return Taken(position, tally, events)
    db.session.commit()
    return Taken(position, tally)


def _bump_version(proposal: Proposal) -> None:
    """Take the proposal's row for this transaction (concurrent positions on it queue here,
    so each tally counts every position committed before it) and refuse if it closed since
    it was read."""
    version = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.closed_at.is_(None),
                               Proposal.closes_at > utcnow())
        .values(version=Proposal.version + 1).returning(Proposal.version)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if version is None:
        db.session.rollback()
        raise Conflict(_("This proposal has closed: positions can no longer change."),
                       code="closed")
    set_committed_value(proposal, "version", version)


def _store(actor: User, proposal: Proposal, stance: Stance, reason: str) -> None:
    """Insert the member's position or replace it (one statement, so two submissions at the
    same moment leave one row), and add the submission to their history."""
    now = utcnow()
    values = {"stance": stance, "reason": reason, "sector": actor.sector,
              "verified": actor.is_verified, "updated_at": now}
    db.session.execute(
        insert_or_merge(Position)
        .values(proposal_id=proposal.id, user_id=actor.id, created_at=now, changes=1, **values)
        .on_conflict_do_update(index_elements=[Position.proposal_id, Position.user_id],
                               set_={**values, "changes": Position.changes + 1}))
    db.session.add(PositionChange(proposal_id=proposal.id, user_id=actor.id, stance=stance,
                                  reason=reason, sector=actor.sector, at=now))


def refusal(actor, proposal: Proposal) -> str | None:
    """Why this member may not take part, in words (None: the general message)."""
    if not may_take_part(actor) or is_suspended(actor):
        return None
    if not can(actor, Action.VIEW_PROPOSAL, proposal):
        return _("This proposal is only for the participants of where it was made.")
    thread = proposal.thread
    if thread is not None and thread.topic.status == TopicStatus.ARCHIVED:
        return _("This topic is archived and read-only.")
    if proposal.participation == Participation.VERIFIED and not actor.is_verified:
        return _("Only verified members take part in this proposal.")
    if proposal.participation == Participation.SESSION:
        return _("Only the participants of the live session take part in this proposal.")
    return None


def require_view(viewer, proposal: Proposal) -> None:
    if not can(viewer, Action.VIEW_PROPOSAL, proposal):
        raise Forbidden(_("This proposal is only for the participants of where it was made."))


# --- Reading ----------------------------------------------------------------------------------


def mine(viewer, proposal: Proposal) -> Position | None:
    if not isinstance(viewer, User):
        return None
    return db.session.scalar(select(Position).where(Position.proposal_id == proposal.id,
                                                    Position.user_id == viewer.id))


def attribution(proposal: Proposal) -> Attribution:
    """Positions in a live session follow its mode; elsewhere the forum is on the record."""
    session = proposal.live_session
    return session.attribution if session is not None else Attribution.ON_RECORD


def shown(proposal_or_id, user: User) -> dict:
    """What readers may see of who took a position (see `stream.attributed`)."""
    proposal = proposal_or_id if isinstance(proposal_or_id, Proposal) else \
        db.session.get(Proposal, proposal_or_id)
    session = proposal.live_session
    if session is not None:
        return stream.shown(session, user)
    return stream.attributed(Attribution.ON_RECORD, "member", user.id, user.display_name,
                             user.sector, user.organisation)


@dataclass
class Entry:
    who: dict  # as `shown` gives it: a name only where the attribution shows names
    stance: Stance | None
    reason: str
    at: object
    user: User | None  # only where names are shown (for the author line and its link)
    sector: str | None = None  # only where sectors are shown


def _entry(proposal: Proposal, user: User, stance: Stance | None, reason: str, at,
           sector=None) -> Entry:
    who = shown(proposal, user)
    return Entry(who, stance, reason, at, user if "name" in who else None,
                 (sector or user.sector).value if "sector" in who else None)


def opener(proposal: Proposal) -> Entry:
    """Who opened the proposal, as readers may see them (a session's mode applies)."""
    return _entry(proposal, proposal.author, None, "", proposal.created_at)


def refusal_for(viewer, proposal: Proposal) -> str:
    """Why this reader cannot take a position, in words, for the page."""
    return refusal(viewer, proposal) or refusal_message(viewer, Action.TAKE_POSITION)


def reasons(proposal: Proposal) -> list[Entry]:
    """Every current position, newest first, with its reason, attributed as readers may see."""
    rows = db.session.scalars(select(Position).where(Position.proposal_id == proposal.id)
                              .order_by(Position.updated_at.desc(), Position.id.desc())).all()
    return [_entry(proposal, p.user, p.stance, p.reason, p.updated_at, p.sector)
            for p in rows]


def after(viewer, proposal_id: int, after_id: int, limit: int
          ) -> tuple[Proposal, list[Position]]:
    """For the API's cursors: the current positions in the order they were first taken
    (`limit + 1` after id `after_id`), of a proposal this reader may see."""
    proposal = proposals.for_viewer(viewer, proposal_id)
    rows = db.session.scalars(select(Position).where(
        Position.proposal_id == proposal.id, Position.id > after_id)
        .order_by(Position.id).limit(limit + 1)).all()
    return proposal, list(rows)


def entry_of(proposal: Proposal, position: Position) -> Entry:
    """A position as readers may see it (the attribution of its session applies)."""
    return _entry(proposal, position.user, position.stance, position.reason,
                  position.updated_at, position.sector)


def history(proposal: Proposal) -> list[list[Entry]]:
    """The submissions of each member who changed their position, oldest first within a
    member, the member who changed last first. Attributed as `reasons` are."""
    rows = db.session.execute(select(PositionChange, User).join(
        User, User.id == PositionChange.user_id).where(
        PositionChange.proposal_id == proposal.id).order_by(PositionChange.id)).all()
    by_member: dict[int, list[tuple[int, Entry]]] = defaultdict(list)
    for change, user in rows:
        by_member[user.id].append((change.id, _entry(proposal, user, change.stance,
                                                     change.reason, change.at, change.sector)))
    changed = [items for items in by_member.values() if len(items) > 1]
    changed.sort(key=lambda items: items[-1][0], reverse=True)
    return [[entry for _id, entry in items] for items in changed]
