"""complaint statistics

Revision ID: b7d2e4f6a807
Revises: f3a9c1e5b706
Create Date: 2026-11-26 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e4f6a807'
down_revision = 'f3a9c1e5b706'
branch_labels = None
depends_on = None


def upgrade():
    # The public statistics' year range by month of receipt, covering every column they count.
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_statistics', ['received_on', 'department_id', 'handling_due', 'answered_at', 'answered_on_time', 'notified_on_time'], unique=False)


def downgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_statistics')
