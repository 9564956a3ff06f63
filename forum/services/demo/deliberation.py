"""Demo deliberation: an open proposal with positions from every sector (one member changed
their mind), a closed one with an outcome and commitments (one of them overdue), and a
proposal in the live session that is on now. Built through the deliberation services."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.discussion import Thread
from forum.models.live import LiveSession, SessionStatus
from forum.services.deliberation import commitments, outcomes, positions, proposals
from forum.services.deliberation.commitments import CommitmentData
from forum.services.deliberation.proposals import ProposalData

OPEN_THREAD = "A joint development company, with the city in the chair"
CLOSED_THREAD = "The line between steering and managing"
LIVE_NOW = "Öppet samtal: trygghet i stadsdelarna"
ARCHIVED = "Chatham House: samverkan mellan politik och förvaltning"

# (member, stance, reason) in the order they were taken
OPEN_POSITIONS = [
    ("anna", "agree", "Shared risk, and the council still decides the owner directive."),
    ("omar", "agree", ""),
    ("karin", "agree", "The administration can report on it every year."),
    ("erik", "abstain", "It depends on how the land is transferred."),
    ("maria", "agree", "Predictability over twenty years is what business needs."),
    ("jonas", "block", "The bank cannot sit on a board it may later lend to."),
    ("leila", "agree", "Only if residents get a seat, as Karin promised."),
    ("per", "abstain", "The research is mixed; the follow-up decides."),
    ("sara", "disagree", "Nobody has asked the people who live by the harbour."),
    ("omar", "disagree", "A board seat is not accountability to the voters."),  # a change
]
CLOSED_POSITIONS = [
    ("anna", "agree", ""), ("omar", "agree", "Transparency helps the opposition do its job."),
    ("karin", "agree", ""), ("erik", "agree", ""), ("maria", "abstain", ""),
    ("leila", "agree", ""), ("per", "agree", "Good practice in every Nordic city."),
    ("sara", "agree", ""),
]
LIVE_POSITIONS = [
    ("leila", "agree", "Kvällarna är när det händer."), ("karin", "agree", ""),
    ("sara", "agree", ""), ("omar", "disagree", "Pengarna behövs mer i skolan."),
    ("per", "abstain", ""), ("jonas", "agree", "Vi kan bidra med sommarjobb."),
]


def _thread(title: str) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.title == title))


def _session(title: str) -> LiveSession | None:
    return db.session.scalar(select(LiveSession).where(LiveSession.title == title))


def _take(cast, proposal_id: int, taken: list[tuple[str, str, str]]) -> None:
    for key, stance, reason in taken:
        positions.take(cast[key], proposal_id, stance, reason)


def _open_proposal(cast) -> None:
    thread = _thread(OPEN_THREAD)
    if thread is None:
        return
    made = proposals.open_in_thread(cast["anna"], thread.id, ProposalData(
        title="A joint harbour company with the city in the majority",
        statement="The city forms a **joint development company** for the inner harbour. The "
                  "city holds the majority; business, the university and civil society each "
                  "hold a board seat. The council decides the owner directive every year.",
        background="See the discussion in this thread, and Malmö's experience with the "
                   "Western Harbour.",
        closes_at=utcnow() + timedelta(days=10)))
    _take(cast, made.id, OPEN_POSITIONS)


def _closed_proposal(cast) -> None:
    thread = _thread(CLOSED_THREAD)
    if thread is None:
        return
    made = proposals.open_in_thread(cast["karin"], thread.id, ProposalData(
        title="Publish every owner directive and its yearly follow-up",
        statement="The owner directives of all city companies, and the yearly follow-up of "
                  "each, are published on the city's website.",
        closes_at=utcnow() + timedelta(days=3), participation="verified"))
    verified = [p for p in CLOSED_POSITIONS if cast[p[0]].is_verified]
    _take(cast, made.id, verified)
    proposals.close(cast["mod"], made.id, "Every verified member from the sectors concerned "
                                          "has taken part.")
    outcomes.save(cast["mod"], made.id, outcomes.OutcomeData(
        "agreed", "Agreed: the directives and their follow-ups will be published, starting "
                  "with the harbour company.",
        "Karin Sjöberg prepares the publication; Anna Lindqvist puts the yearly follow-up on "
        "the council's agenda; Maria Berg asks the business association to do the same."))
    _commitments(cast, made.id)


def _commitments(cast, proposal_id: int) -> None:
    today = commitments.today()

    def record(key: str, text: str, days: int) -> object:
        return commitments.record_for_outcome(cast["mod"], proposal_id, CommitmentData(
            owner_email=cast[key].email, text=text, due_on=today + timedelta(days=days),
            review_on=today + timedelta(days=max(days - 14, 0))))

    karin = record("karin", "Publish the owner directives of all city companies", 45)
    commitments.update_status(cast["karin"], karin.id, "in_progress",
                              "Four of seven directives are online.")
    anna = record("anna", "Put the yearly follow-up on the council's agenda", 20)
    maria = record("maria", "Ask the business association to publish its own directives", 30)
    commitments.update_status(cast["maria"], maria.id, "done", "The board agreed in March.")
    # The demo's one overdue commitment: its dates lie behind us, as if time had passed.
    anna.due_on, anna.review_on = today - timedelta(days=5), today - timedelta(days=12)
    db.session.commit()


def _live_proposal(cast) -> None:
    session = _session(LIVE_NOW)
    if session is None or session.status != SessionStatus.LIVE:
        return
    made, _events = proposals.open_in_session(cast["mod"], session.id, ProposalData(
        title="Fler fältarbetare på kvällstid i Drottninghög",
        statement="Staden flyttar två fältarbetartjänster till kvällar och helger.",
        closes_at=session.ends_at, participation="session"))
    _take(cast, made.id, LIVE_POSITIONS)


def _session_commitment(cast) -> None:
    session = _session(ARCHIVED)
    if session is None:
        return
    commitments.record_for_session(cast["mod"], session.id, CommitmentData(
        owner_email=cast["karin"].email, organisation="Helsingborgs stad",
        text="Skriva tydligare uppdrag till förvaltningarna inför nästa budgetår",
        due_on=commitments.today() + timedelta(days=90),
        review_on=commitments.today() + timedelta(days=60)))


def add(cast: dict) -> str:
    _open_proposal(cast)
    _closed_proposal(cast)
    _live_proposal(cast)
    _session_commitment(cast)
    return "Deliberation: an open proposal, a closed one with an outcome and commitments " \
           "(one overdue), a proposal in the live session."
