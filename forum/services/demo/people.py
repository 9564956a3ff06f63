"""Demo members from every sector, a moderator and an admin (password: see DEMO_PASSWORD)."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.accounts import Role, Sector, User
from forum.models.base import utcnow
from forum.services import passwords

DEMO_PASSWORD = "rådslag-demo-lösenord"  # printed in the README; demo data only
DEMO_DOMAIN = "demo.radslag.test"

PEOPLE = {
    # key: (name, sector, organisation, title, role, verified)
    "anna": ("Anna Lindqvist", Sector.POLITICS, "Helsingborgs stad", "Kommunstyrelsens ordförande",
             Role.MEMBER, True),
    "omar": ("Omar Haddad", Sector.POLITICS, "Helsingborgs stad", "Oppositionsråd", Role.MEMBER,
             True),
    "karin": ("Karin Sjöberg", Sector.CIVIL_SERVICE, "Helsingborgs stad", "Stadsdirektör",
              Role.MEMBER, True),
    "erik": ("Erik Nilsson", Sector.CIVIL_SERVICE, "Stadsbyggnadsförvaltningen",
             "Förvaltningschef", Role.MEMBER, False),
    "maria": ("Maria Berg", Sector.BUSINESS, "Öresund Logistik AB", "VD", Role.MEMBER, True),
    "jonas": ("Jonas Ek", Sector.BUSINESS, "Kullabygdens Sparbank", "Hållbarhetschef",
              Role.MEMBER, False),
    "leila": ("Leila Rahimi", Sector.CIVIL_SOCIETY, "Föreningen Drottninghög", "Ordförande",
              Role.MEMBER, True),
    "per": ("Per Holm", Sector.ACADEMIA, "Lunds universitet, Campus Helsingborg", "Professor",
            Role.MEMBER, True),
    "sara": ("Sara Ahmed", Sector.RESIDENT, "", "", Role.MEMBER, False),
    "mod": ("Mikael Strand", Sector.CIVIL_SERVICE, "Rådslag", "Moderator", Role.MODERATOR, True),
    "admin": ("Admin Rådslag", Sector.CIVIL_SERVICE, "Rådslag", "Administratör", Role.ADMIN, True),
}


def email_for(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"


def ensure_people() -> dict[str, User] | None:
    """Create the demo cast; None when it already exists (so demo content is added once)."""
    if db.session.scalar(select(User.id).where(User.email == email_for("anna"))) is not None:
        return None
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    cast = {}
    for n, (key, (name, sector, org, title, role, verified)) in enumerate(PEOPLE.items()):
        user = User(email=email_for(key), display_name=name, sector=sector, organisation=org,
                    title=title, role=role, password_hash=password_hash,
                    verified_at=utcnow() if verified else None, email_confirmed_at=utcnow(),
                    registration_ip=f"192.0.2.{10 + n}")  # documentation addresses (RFC 5737)
        db.session.add(user)
        cast[key] = user
    db.session.commit()
    return cast
