"""forum thread watches and reply digests

Revision ID: 7c2e5a9d4b02
Revises: 3f1b9c2d7a01
Create Date: 2026-11-26 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2e5a9d4b02'
down_revision = '3f1b9c2d7a01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forum_thread_watches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_notified_floor', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_threads.id'], name=op.f('fk_forum_thread_watches_thread_id_forum_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_forum_thread_watches_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_thread_watches')),
    sa.UniqueConstraint('thread_id', 'user_id', name=op.f('uq_forum_thread_watches_thread_id_user_id'))
    )
    with op.batch_alter_table('forum_thread_watches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_thread_watches_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('forum_reports', schema=None) as batch_op:
        batch_op.create_index('ix_forum_reports_queue', ['resolved_at', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('forum_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_reports_queue')

    with op.batch_alter_table('forum_thread_watches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_thread_watches_user_id'))

    op.drop_table('forum_thread_watches')
