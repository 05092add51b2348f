"""Rate-limit counters shared by every hub instance, and the per-window
count of failed attempts that keeps floods out of the ledger.

Revision ID: 0010_rate_limits
Revises: 0009_oauth_security
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0010_rate_limits'
down_revision = '0009_oauth_security'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters')),
    )
    op.create_index(op.f('ix_rate_limit_counters_expires_at'), 'rate_limit_counters', ['expires_at'], unique=False)
    op.create_table(
        'failure_windows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=100), nullable=False),
        sa.Column('subject', sa.String(length=160), nullable=False),
        sa.Column('window_start', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('summarised_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_failure_windows')),
        sa.UniqueConstraint('action', 'subject', 'window_start', name='uq_failure_windows_window'),
    )
    op.create_index(op.f('ix_failure_windows_window_start'), 'failure_windows', ['window_start'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_failure_windows_window_start'), table_name='failure_windows')
    op.drop_table('failure_windows')
    op.drop_index(op.f('ix_rate_limit_counters_expires_at'), table_name='rate_limit_counters')
    op.drop_table('rate_limit_counters')
