"""The log of use, per camera and day.

Revision ID: 0011_log_of_use
Revises: 0010_rate_limits
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_log_of_use'
down_revision = '0010_rate_limits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('log_of_use_days',
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hours_active', sa.String(length=24), nullable=False),
    sa.Column('reads', sa.Integer(), nullable=False),
    sa.Column('hits_stolen', sa.Integer(), nullable=False),
    sa.Column('hits_warrant', sa.Integer(), nullable=False),
    sa.Column('hits_suspended_revoked', sa.Integer(), nullable=False),
    sa.Column('hits_active_investigation', sa.Integer(), nullable=False),
    sa.Column('databases_compared', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('camera_id', 'day', name=op.f('pk_log_of_use_days'))
    )
    with op.batch_alter_table('log_of_use_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_of_use_days_day'), ['day'], unique=False)


def downgrade():
    with op.batch_alter_table('log_of_use_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_of_use_days_day'))
    op.drop_table('log_of_use_days')
