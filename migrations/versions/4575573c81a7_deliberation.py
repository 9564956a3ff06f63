"""deliberation: proposals, positions and their history, outcomes, commitments

Positions are one per member and proposal (uq_positions_proposal_user); the history of
changes and of commitment status reports are append-only tables.

Revision ID: 4575573c81a7
Revises: 1f266fff35d1
Create Date: 2026-12-02 14:53:51.358149

"""
from alembic import op
import sqlalchemy as sa

import forum.extensions


# revision identifiers, used by Alembic.
revision = '4575573c81a7'
down_revision = '1f266fff35d1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('live_session_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('statement_source', sa.Text(), nullable=False),
    sa.Column('statement_html', sa.Text(), nullable=False),
    sa.Column('background_source', sa.Text(), nullable=False),
    sa.Column('background_html', sa.Text(), nullable=False),
    sa.Column('participation', sa.Enum('members', 'verified', 'session', name='participation', native_enum=False, length=20), nullable=False),
    sa.Column('closes_at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', forum.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('thread_id IS NOT NULL OR live_session_id IS NOT NULL', name=op.f('ck_proposals_place')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposals_author_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_proposals_closed_by_id_users')),
    sa.ForeignKeyConstraint(['focus_area_id'], ['focus_areas.id'], name=op.f('fk_proposals_focus_area_id_focus_areas')),
    sa.ForeignKeyConstraint(['live_session_id'], ['live_sessions.id'], name=op.f('fk_proposals_live_session_id_live_sessions')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_proposals_thread_id_threads')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_proposals_topic_id_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_focus_area_id'), ['focus_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_live_session_id'), ['live_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_thread_id'), ['thread_id'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('agreed', 'amended', 'not_agreed', 'no_agreement_yet', name='outcome_kind', native_enum=False, length=20), nullable=False),
    sa.Column('decision_source', sa.Text(), nullable=False),
    sa.Column('decision_html', sa.Text(), nullable=False),
    sa.Column('next_steps_source', sa.Text(), nullable=False),
    sa.Column('next_steps_html', sa.Text(), nullable=False),
    sa.Column('final_tally', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('edited_at', forum.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edited_by_id'], ['users.id'], name=op.f('fk_outcomes_edited_by_id_users')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_outcomes_post_id_posts')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_outcomes_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outcomes_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_outcomes_proposal_id'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_created_at'), ['created_at'], unique=False)

    op.create_table('position_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.Enum('agree', 'abstain', 'disagree', 'block', name='stance', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('sector', sa.Enum('politics', 'civil_service', 'business', 'civil_society', 'academia', 'resident', name='sector', native_enum=False, length=20), nullable=False),
    sa.Column('at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_position_changes_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_position_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_changes'))
    )
    with op.batch_alter_table('position_changes', schema=None) as batch_op:
        batch_op.create_index('ix_position_changes_proposal_user', ['proposal_id', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_position_changes_user_id'), ['user_id'], unique=False)

    op.create_table('positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.Enum('agree', 'abstain', 'disagree', 'block', name='stance', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('sector', sa.Enum('politics', 'civil_service', 'business', 'civil_society', 'academia', 'resident', name='sector', native_enum=False, length=20), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('created_at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_positions_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_positions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_positions')),
    sa.UniqueConstraint('proposal_id', 'user_id', name='uq_positions_proposal_user')
    )
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_positions_user_id'), ['user_id'], unique=False)

    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=True),
    sa.Column('live_session_id', sa.Integer(), nullable=True),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.Enum('politics', 'civil_service', 'business', 'civil_society', 'academia', 'resident', name='sector', native_enum=False, length=20), nullable=False),
    sa.Column('organisation', sa.String(length=120), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='commitment_status', native_enum=False, length=20), nullable=False),
    sa.Column('status_note', sa.String(length=500), nullable=False),
    sa.Column('status_changed_at', forum.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('review_soon_noticed_at', forum.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_passed_noticed_at', forum.extensions.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('outcome_id IS NOT NULL OR live_session_id IS NOT NULL', name=op.f('ck_commitments_source')),
    sa.ForeignKeyConstraint(['focus_area_id'], ['focus_areas.id'], name=op.f('fk_commitments_focus_area_id_focus_areas')),
    sa.ForeignKeyConstraint(['live_session_id'], ['live_sessions.id'], name=op.f('fk_commitments_live_session_id_live_sessions')),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_commitments_outcome_id_outcomes')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_commitments_owner_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_commitments_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_focus_area_id'), ['focus_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_live_session_id'), ['live_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_status'), ['status'], unique=False)

    op.create_table('commitment_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='commitment_status', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('at', forum.extensions.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_commitment_updates_author_id_users')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_updates_commitment_id_commitments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_updates'))
    )
    with op.batch_alter_table('commitment_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_updates_commitment_id'), ['commitment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('commitment_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_updates_commitment_id'))

    op.drop_table('commitment_updates')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_status'))
        batch_op.drop_index(batch_op.f('ix_commitments_owner_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_outcome_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_live_session_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_focus_area_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_created_at'))

    op.drop_table('commitments')
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_positions_user_id'))

    op.drop_table('positions')
    with op.batch_alter_table('position_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_position_changes_user_id'))
        batch_op.drop_index('ix_position_changes_proposal_user')

    op.drop_table('position_changes')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_created_at'))

    op.drop_table('outcomes')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_thread_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_live_session_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_focus_area_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_created_at'))

    op.drop_table('proposals')
