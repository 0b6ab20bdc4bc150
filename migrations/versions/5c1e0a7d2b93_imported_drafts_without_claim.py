"""imported drafts without claim: question.claim_id may be empty

Revision ID: 5c1e0a7d2b93
Revises: 65adeb232786
Create Date: 2026-11-27 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e0a7d2b93'
down_revision = '65adeb232786'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.alter_column('claim_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.alter_column('claim_id', existing_type=sa.Integer(), nullable=False)
