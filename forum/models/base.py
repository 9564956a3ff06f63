"""Shared column helpers for the models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum, Select, String, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.util import identity_key

from forum.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ClosesMixin:
    """Open until its `closes_at`, or until someone closes it early (`closed_at`): proposals
    and statement rounds. The model declares both columns."""

    def is_open(self, now: datetime | None = None) -> bool:
        return self.closed_at is None and self.closes_at > (now or utcnow())

    def ended_at(self) -> datetime | None:
        """When it closed (early or at its time); None while open."""
        if self.closed_at is not None:
            return self.closed_at
        return self.closes_at if self.closes_at <= utcnow() else None


# Column.info key of a column that holds a client's IP address; its value names the column
# whose time decides the address's age. forum.services.retention shortens every such address
# to its network after FORUM_IP_RETENTION_DAYS; a test fails for an address column without it.
IP_ADDRESS = "ip_address"


def ip_address_column(age_from: str = "created_at"):
    """A nullable column for an IPv4 or IPv6 address (or, once old, its network)."""
    return mapped_column(String(64), nullable=True, info={IP_ADDRESS: age_from})


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column stored as its string value (no native type to migrate)."""
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda members: [m.value for m in members],
                validate_strings=True)


def by_id(statement: Select, model: type, ident: int):
    """Like `Session.get`, for the rows read on every request: the session's copy if it holds
    a fresh one, otherwise `statement` (prebuilt, with an `:id` parameter), which skips the
    statement `Session.get` builds and keys anew on each call."""
    found = held(model, ident)
    if found is not None:
        return found
    return db.session.scalars(statement, {"id": ident}).one_or_none()


def held(model: type, ident: int):
    """The session's fresh copy of a row, if it holds one (no query)."""
    found = db.session.identity_map.get(identity_key(model, ident))
    return found if found is not None and not inspect(found).expired else None


def insert_or_merge(model: type):
    """An INSERT that can say what to do on a conflict (`on_conflict_do_nothing` or
    `..._do_update`), for the database in use: PostgreSQL or SQLite. For rows that two
    requests may create at the same moment."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return insert(model)
