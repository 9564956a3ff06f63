"""Demo statement round: a citizens' panel (eight members of every sector) and the demo cast
answer "How should the inner harbour develop?". The votes hold common ground (statements
everyone supports), a divide (one only business supports) and two opinion groups that cut
across the sectors (growth first, green first). Built through the round services."""
from __future__ import annotations

import random
from datetime import timedelta

from forum.extensions import db
from forum.models.accounts import Role, Sector, User
from forum.models.base import utcnow
from forum.models.discussion import PostStatus
from forum.models.rounds import Statement
from forum.services.deliberation import round_results, rounds, statements, votes
from forum.services.demo.deliberation import OPEN_THREAD, _thread
from forum.services.demo.people import DEMO_DOMAIN

PANEL_PER_SECTOR = 8
FIRST_NAMES = ["Alva", "Bo", "Cecilia", "David", "Elin", "Fredrik", "Greta", "Hassan",
               "Ida", "Johan", "Klara", "Lars", "Mona", "Nils", "Olivia", "Pontus"]

# (author, text, kind): kind says who agrees. "all": everyone; "growth" / "green": that
# opinion group; "business": only business; "mixed": a coin toss.
STATEMENTS = [
    ("leila", "Kajerna ska vara öppna för alla, året runt.", "all"),
    ("sara", "Invånarna ska få säga sitt innan detaljplanen antas.", "all"),
    ("per", "Hamnen ska gå att nå till fots, med cykel och med buss.", "all"),
    ("anna", "Fler bostäder i hamnen är viktigare än fler parker.", "growth"),
    ("maria", "Staden bör sälja mark till privata byggherrar.", "growth"),
    ("erik", "Höga hus är rätt nära stationen.", "growth"),
    ("karin", "Grönytor ska gå före ny bebyggelse.", "green"),
    ("omar", "Marken ska ägas av staden och upplåtas med tomträtt.", "green"),
    ("leila", "Inga hus över sex våningar vid vattnet.", "green"),
    ("jonas", "Hamnverksamheten ska få stanna, även om det bromsar bostadsbyggandet.",
     "business"),
    ("per", "Ett nytt konserthus hör hemma i hamnen.", "mixed"),
]


def _panel(cast) -> list[User]:
    """Eight panel members per sector, half of each leaning to growth, half to green."""
    people, n = [], 0
    for sector in Sector:
        for _ in range(PANEL_PER_SECTOR):
            n += 1
            name = f"{FIRST_NAMES[(n * 7) % len(FIRST_NAMES)]} {chr(65 + n % 26)}."
            user = User(email=f"panel{n}@{DEMO_DOMAIN}", display_name=f"{name} (panel {n})",
                        sector=sector, role=Role.MEMBER, organisation="",
                        password_hash=cast["anna"].password_hash, email_confirmed_at=utcnow(),
                        title="", registration_ip=f"192.0.2.{100 + n}")
            db.session.add(user)
            people.append(user)
    db.session.commit()
    return people


def _choice(kind: str, leaning: str, sector: Sector, rng: random.Random) -> str:
    if kind == "all":
        return "agree" if rng.random() < 0.9 else "pass"
    if kind == "business":
        return "agree" if sector == Sector.BUSINESS else "disagree"
    if kind == "mixed":
        return rng.choice(["agree", "disagree", "pass"])
    agree = kind == leaning
    if rng.random() < 0.1:
        return "pass"
    return "agree" if agree else "disagree"


def add(cast: dict) -> str:
    thread = _thread(OPEN_THREAD)
    if thread is None:
        return ""
    made = rounds.open_in_thread(cast["mod"], thread.id, rounds.RoundData(
        question="Hur ska inre hamnen utvecklas?",
        description="Skriv korta påståenden och ta ställning till andras. Resultatet visar "
                    "vad alla sektorer och åsiktsgrupper kan ställa sig bakom.",
        closes_at=utcnow() + timedelta(days=14)))
    written = []
    for author, text, kind in STATEMENTS:
        submitted = statements.submit(cast[author], made.id, text)
        if not submitted.published:  # the member is still pre-moderated: the moderator approves
            statements.approve(cast["mod"], submitted.statement.id)
        written.append((submitted.statement, kind))
    rng = random.Random(12)
    panel = _panel(cast)
    for i, member in enumerate(panel):
        leaning = "growth" if i % 2 == 0 else "green"
        for statement, kind in written:
            votes.vote(member, made.id, statement.id, _choice(kind, leaning, member.sector, rng))
    _for_the_queue(cast, made, panel)
    round_results.refresh_groups(made.id)  # at seed time: the demo shows its groups at once
    return (f"A statement round with {len(written)} statements and {len(panel)} panel "
            "members' votes (common ground, a divide, two opinion groups), one statement "
            "waiting for approval and one flagged.")


def _for_the_queue(cast, made, panel) -> None:
    """A statement waiting for approval and a flagged one, for the review queue."""
    db.session.add(Statement(round_id=made.id, author_id=panel[1].id, sector=panel[1].sector,
                             text="Båtklubben ska få gratis plats vid kajen.",
                             status=PostStatus.PENDING))
    db.session.commit()
    submitted = statements.submit(panel[3], made.id, "Köp billiga klockor på min webbplats!")
    if not submitted.published:
        statements.approve(cast["mod"], submitted.statement.id)
    statements.flag(panel[2], submitted.statement.id, "spam")
