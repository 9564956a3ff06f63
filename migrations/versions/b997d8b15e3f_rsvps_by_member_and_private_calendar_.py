"""RSVPs by member and private calendar feed tokens

The RSVP table itself came with the initial schema; this adds its index by member (a
member's sessions and calendar feed) and the table of private calendar addresses.

Revision ID: b997d8b15e3f
Revises: 7c4d08b304bd
Create Date: 2026-12-02 18:51:14.761079

"""
from alembic import op
import sqlalchemy as sa

import forum.extensions


# revision identifiers, used by Alembic.
revision = 'b997d8b15e3f'
down_revision = '7c4d08b304bd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_tokens',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('last_used_at', forum.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_tokens_token_hash'))
    )
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_tokens_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('live_rsvps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_rsvps_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('live_rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_rsvps_user_id'))

    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_tokens_created_at'))

    op.drop_table('feed_tokens')
