"""working-day calendar overrides

Revision ID: c5e8f2a7d104
Revises: a94d1e6c3b03
Create Date: 2026-11-26 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e8f2a7d104'
down_revision = 'a94d1e6c3b03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('holiday', 'workday', name='daykind', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_days_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_days_day'))
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_days_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('calendar_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('official', sa.Boolean(), nullable=False),
    sa.Column('marked_official_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_calendar_years_marked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_years')),
    sa.UniqueConstraint('year', name=op.f('uq_calendar_years_year'))
    )
    with op.batch_alter_table('calendar_years', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_years_marked_by_id'), ['marked_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('calendar_years', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_years_marked_by_id'))

    op.drop_table('calendar_years')
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_days_created_by_id'))

    op.drop_table('calendar_days')
