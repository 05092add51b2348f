"""Ledger checkpoints as signed notes; witnesses, cosignatures, the logs this
hub witnesses, and the checkpoints each partner was shown.

Revision ID: 0012_ledger_witnesses
Revises: 0011_log_of_use
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_ledger_witnesses'
down_revision = '0011_log_of_use'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledger_checkpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
    op.create_table('ledger_witnesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('vkey', sa.Text(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('cosigned_size', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_witnesses')),
    sa.UniqueConstraint('name', name=op.f('uq_ledger_witnesses_name'))
    )
    op.create_table('ledger_cosignatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('witness', sa.String(length=200), nullable=False),
    sa.Column('line', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['ledger_checkpoints.id'],
                            name=op.f('fk_ledger_cosignatures_checkpoint_id_ledger_checkpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_cosignatures')),
    sa.UniqueConstraint('checkpoint_id', 'witness', name=op.f('uq_ledger_cosignatures_checkpoint_id'))
    )
    with op.batch_alter_table('ledger_cosignatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_cosignatures_checkpoint_id'), ['checkpoint_id'], unique=False)
    op.create_table('ledger_witnessed_logs',
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('vkeys', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('origin', name=op.f('pk_ledger_witnessed_logs'))
    )
    op.create_table('ledger_checkpoints_kept',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('kept_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['ledger_checkpoints.id'],
                            name=op.f('fk_ledger_checkpoints_kept_checkpoint_id_ledger_checkpoints')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_ledger_checkpoints_kept_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', 'checkpoint_id', name=op.f('pk_ledger_checkpoints_kept'))
    )


def downgrade():
    op.drop_table('ledger_checkpoints_kept')
    op.drop_table('ledger_witnessed_logs')
    with op.batch_alter_table('ledger_cosignatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_cosignatures_checkpoint_id'))
    op.drop_table('ledger_cosignatures')
    op.drop_table('ledger_witnesses')
    with op.batch_alter_table('ledger_checkpoints', schema=None) as batch_op:
        batch_op.drop_column('note')
