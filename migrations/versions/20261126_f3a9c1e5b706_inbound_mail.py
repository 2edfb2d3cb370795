"""inbound mail and holding pen

Revision ID: f3a9c1e5b706
Revises: e1d7b4c9f205
Create Date: 2026-11-26 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c1e5b706'
down_revision = 'e1d7b4c9f205'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
