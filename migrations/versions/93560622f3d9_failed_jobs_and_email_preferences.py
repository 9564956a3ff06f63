"""Failed jobs (kept for admins to read and retry) and per-member, per-kind email preferences

Revision ID: 93560622f3d9
Revises: 789da27726ff
Create Date: 2026-12-02 14:47:19.045884

"""
from alembic import op
import sqlalchemy as sa

import forum.extensions


# revision identifiers, used by Alembic.
revision = '93560622f3d9'
down_revision = '789da27726ff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('delivery', sa.Enum('off', 'immediate', 'daily', name='email_delivery', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_preferences_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_email_preferences'))
    )
    op.create_table('failed_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=200), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('kwargs', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=2000), nullable=False),
    sa.Column('traceback', sa.Text(), nullable=False),
    sa.Column('retried_at', forum.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('retried_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['retried_by_id'], ['users.id'], name=op.f('fk_failed_jobs_retried_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_jobs'))
    )
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_jobs_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_jobs_created_at'))

    op.drop_table('failed_jobs')
    op.drop_table('email_preferences')
