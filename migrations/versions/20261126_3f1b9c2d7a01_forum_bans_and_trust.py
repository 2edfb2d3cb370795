"""forum bans, trust levels (held posts) and quoted posts

Revision ID: 3f1b9c2d7a01
Revises: e48ea701a4cf
Create Date: 2026-11-26 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1b9c2d7a01'
down_revision = 'e48ea701a4cf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forum_bans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['forum_boards.id'], name=op.f('fk_forum_bans_board_id_forum_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_forum_bans_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_forum_bans_lifted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_forum_bans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_bans'))
    )
    with op.batch_alter_table('forum_bans', schema=None) as batch_op:
        batch_op.create_index('ix_forum_bans_board', ['board_id', 'id'], unique=False)
        batch_op.create_index('ix_forum_bans_user', ['user_id', 'board_id', 'lifted_at'], unique=False)

    with op.batch_alter_table('forum_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_forum_posts_author_created', ['author_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_posts_held_at'), ['held_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_forum_posts_approved_by_id_users'), 'users', ['approved_by_id'], ['id'])
        batch_op.add_column(sa.Column('quoted_post_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_forum_posts_quoted_post_id'), ['quoted_post_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_forum_posts_quoted_post_id_forum_posts'), 'forum_posts', ['quoted_post_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('forum_threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('forum_threads', schema=None) as batch_op:
        batch_op.drop_column('held_at')

    with op.batch_alter_table('forum_posts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_forum_posts_quoted_post_id_forum_posts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_forum_posts_quoted_post_id'))
        batch_op.drop_column('quoted_post_id')
        batch_op.drop_constraint(batch_op.f('fk_forum_posts_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_forum_posts_held_at'))
        batch_op.drop_index('ix_forum_posts_author_created')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('held_at')

    with op.batch_alter_table('forum_bans', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_bans_user')
        batch_op.drop_index('ix_forum_bans_board')

    op.drop_table('forum_bans')
