"""article origin statement

Revision ID: c17a0e4b9f21
Revises: 1b7972120d4a
Create Date: 2026-11-27 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c17a0e4b9f21'
down_revision = '1b7972120d4a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_column('origin')
