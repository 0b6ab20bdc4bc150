"""index a game's removed players (the count of a question's answers)

Revision ID: 3e5b1c9d7a20
Revises: efd3aff0cb3a
Create Date: 2026-11-27 13:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3e5b1c9d7a20'
down_revision = 'efd3aff0cb3a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('player', schema=None) as batch_op:
        batch_op.create_index('ix_player_session_kicked', ['session_id', 'kicked'], unique=False)


def downgrade():
    with op.batch_alter_table('player', schema=None) as batch_op:
        batch_op.drop_index('ix_player_session_kicked')
