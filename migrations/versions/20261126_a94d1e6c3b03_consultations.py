"""open-door consultations

Revision ID: a94d1e6c3b03
Revises: 7c2e5a9d4b02
Create Date: 2026-11-26 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a94d1e6c3b03'
down_revision = '7c2e5a9d4b02'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
