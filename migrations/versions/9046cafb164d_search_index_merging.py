"""Search index upkeep: on SQLite, writes no longer merge FTS5 segments (automerge 0; the
periodic job merge_index does, and FTS5 merges a level itself only at 64 segments).

Revision ID: 9046cafb164d
Revises: 95ebd56a3e15
Create Date: 2026-12-03 11:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '9046cafb164d'
down_revision = '95ebd56a3e15'
branch_labels = None
depends_on = None

# Written out here (not imported): a migration must not change when the model does.
MERGING = (("automerge", 0), ("crisismerge", 64))
FTS5_DEFAULTS = (("automerge", 4), ("crisismerge", 16))


def _configure(settings) -> None:
    for name, value in settings:
        op.execute(f"INSERT INTO search_fts(search_fts, rank) VALUES('{name}', {value})")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _configure(MERGING)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _configure(FTS5_DEFAULTS)
