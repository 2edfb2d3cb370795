"""inbound mail classes: reason codes, signature status, sender authentication

Revision ID: b1d2e3f4a515
Revises: a3c5e7f90b13
Create Date: 2026-12-03 18:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b1d2e3f4a515"
down_revision = "a3c5e7f90b13"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_codes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("signature_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("signature_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("signature_detail", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("sender_auth", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_column("sender_auth")
        batch_op.drop_column("signature_detail")
        batch_op.drop_column("signature_status")
        batch_op.drop_column("signature_kind")
        batch_op.drop_column("reason_codes")
