"""How long the forum keeps the IP addresses it stores for rate limits and moderation: after
FORUM_IP_RETENTION_DAYS each one is shortened to its network (IPv4 /24, IPv6 /48), which no
longer points at one connection. Every column marked with `ip_address_column` is covered, so a
feature that stores addresses gets the same rule by marking its column."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import Column, Table, and_, select, update

from forum import jobs
from forum.extensions import db
from forum.models.base import IP_ADDRESS, utcnow

BATCH = 500
PREFIX = {4: 24, 6: 48}  # bits kept of an old address


@dataclass(frozen=True)
class AddressColumn:
    table: Table
    address: Column
    age: Column  # the time that decides how old the address is


def address_columns() -> list[AddressColumn]:
    """Every column of the schema marked as holding an IP address."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if IP_ADDRESS in column.info:
                found.append(AddressColumn(table, column, table.columns[column.info[IP_ADDRESS]]))
    return found


def shorten(address: str | None) -> str | None:
    """An address as its network ('192.0.2.0/24'); a network stays as it is; anything that
    is not an address becomes None."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        try:
            return str(ipaddress.ip_network(address, strict=False))
        except ValueError:
            return None
    return str(ipaddress.ip_network(f"{ip}/{PREFIX[ip.version]}", strict=False))


def clean(address: str | None) -> str | None:
    """An address as it is stored when it arrives (normalised), or None if it is not one."""
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def prune_ips(days: int | None = None, batch: int = BATCH) -> int:
    """Shorten every stored address older than `days` (FORUM_IP_RETENTION_DAYS) to its
    network. Works in batches, each its own transaction, so a large backlog never holds a
    long lock; running it again changes nothing. Returns how many addresses were shortened."""
    if days is None:
        days = int(current_app.config["IP_RETENTION_DAYS"])
    cutoff = utcnow() - timedelta(days=days)
    return sum(_prune_column(column, cutoff, batch) for column in address_columns())


@jobs.periodic(jobs.crontab(hour="3", minute="17"))
def prune_ips_daily() -> None:
    """Every night, what `forum prune-ips` does."""
    prune_ips()


def _prune_column(column: AddressColumn, cutoff, batch: int) -> int:
    key = list(column.table.primary_key.columns)
    due = and_(column.address.is_not(None), ~column.address.contains("/"), column.age < cutoff)
    done = 0
    while True:
        rows = db.session.execute(select(*key, column.address).where(due)
                                  .order_by(*key).limit(batch)).all()
        for row in rows:
            match = and_(*(k == row._mapping[k.name] for k in key))
            db.session.execute(update(column.table).where(match)
                               .values({column.address.name: shorten(row[-1])}))
        db.session.commit()
        done += len(rows)
        if len(rows) < batch:
            return done
