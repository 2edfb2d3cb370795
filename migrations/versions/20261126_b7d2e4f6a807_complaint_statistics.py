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
    pass


def downgrade():
    pass
