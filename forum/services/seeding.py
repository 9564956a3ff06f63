"""Seed data: the three focus areas (idempotent) and, on request, a living demo forum."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models.discussion import FocusArea

FOCUS_AREAS = (
    {
        "slug": "innovative-welfare",
        "position": 1,
        "name_sv": "Innovativ välfärds- och stadsutveckling",
        "name_en": "Innovative welfare and urban development",
        "description_sv": "Hur staden, näringslivet, civilsamhället och akademin tillsammans "
                          "förnyar välfärden och bygger staden.",
        "description_en": "How the city, business, civil society and academia renew welfare "
                          "and build the city together.",
    },
    {
        "slug": "quality-of-life",
        "position": 2,
        "name_sv": "Förbättrad livskvalitet",
        "name_en": "Improved quality of life",
        "description_sv": "Trygghet, hälsa, boende, kultur och vardagsliv för dem som bor "
                          "och verkar i staden.",
        "description_en": "Safety, health, housing, culture and everyday life for those who "
                          "live and work in the city.",
    },
    {
        "slug": "city-governance",
        "position": 3,
        "name_sv": "City governance – ledarskap för framgångsrik stadsutveckling",
        "name_en": "City governance – leadership for successful urban development",
        "description_sv": "Hur staden leds: roller, ansvar och samverkan mellan politik, "
                          "förvaltning och näringsliv.",
        "description_en": "How the city is led: roles, responsibility and cooperation between "
                          "politics, administration and business.",
    },
)


def ensure_focus_areas() -> int:
    """Create any missing focus area (matched by slug). Returns how many were created."""
    existing = set(db.session.scalars(select(FocusArea.slug)))
    created = 0
    for fields in FOCUS_AREAS:
        if fields["slug"] not in existing:
            db.session.add(FocusArea(**fields))
            created += 1
    db.session.commit()
    return created


def is_empty() -> bool:
    """No focus areas yet: a fresh database."""
    return db.session.scalar(select(FocusArea.id).limit(1)) is None
