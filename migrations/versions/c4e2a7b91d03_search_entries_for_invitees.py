"""Search entries can be for the invitees of one invite-only session (its archive)

Revision ID: c4e2a7b91d03
Revises: 9046cafb164d
Create Date: 2026-12-03 11:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e2a7b91d03'
down_revision = '9046cafb164d'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER (no batch copy on SQLite: that would drop the FTS5 triggers on the table).
    # Derived data: `flask --app wsgi forum reindex` indexes the archives that exist.
    op.add_column('search_entries', sa.Column('audience_session_id', sa.Integer(), nullable=True))


def downgrade():
    op.execute("DELETE FROM search_entries WHERE audience = 'invited'")
    op.drop_column('search_entries', 'audience_session_id')
