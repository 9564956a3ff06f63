"""Statement rounds remember a queued recomputation of their opinion groups

Revision ID: 95ebd56a3e15
Revises: a1ac79ac9d12
Create Date: 2026-12-03 06:08:28.154038

"""
from alembic import op
import sqlalchemy as sa

import forum.extensions


# revision identifiers, used by Alembic.
revision = '95ebd56a3e15'
down_revision = 'a1ac79ac9d12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('statement_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('groups_queued_at', forum.extensions.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('statement_rounds', schema=None) as batch_op:
        batch_op.drop_column('groups_queued_at')
