"""Readers built into other devices; the structured check of an alert and
whether it matched a stale hot list.

Revision ID: 0007_readers_and_hit_checks
Revises: 0006_consent_url
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_readers_and_hit_checks'
down_revision = '0006_consent_url'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.add_column(sa.Column('built_in', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checklist', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('stale_list', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('stale_list')
        batch_op.drop_column('checklist')
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.drop_column('built_in')
