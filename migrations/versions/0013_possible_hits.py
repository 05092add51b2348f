"""Possible hits: an alert is exact, or possible (the read differs from the
listed plate only by characters plates print alike), with the differing
characters kept beside it.

Revision ID: 0013_possible_hits
Revises: 0012_ledger_witnesses
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_possible_hits'
down_revision = '0012_ledger_witnesses'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('exact', 'possible', name='alertkind', native_enum=False,
                                                      length=10), server_default='exact', nullable=False))
        batch_op.add_column(sa.Column('differences', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('differences')
        batch_op.drop_column('kind')
