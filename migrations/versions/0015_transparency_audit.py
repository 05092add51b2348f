"""The usage figures and the public record of searches; camera heartbeats
and problems; the commissioner's suspension orders; issued audit reports,
their files and each sending; the log of use by the hour and the hours heard.

Revision ID: 0015_transparency_audit
Revises: 0014_outside_agency_requests
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_transparency_audit'
down_revision = '0014_outside_agency_requests'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('ledger_size', sa.BigInteger(), nullable=False),
    sa.Column('ledger_intact', sa.Boolean(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_reports'))
    )
    op.create_table('public_searches',
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.Column('case_number_present', sa.Boolean(), nullable=False),
    sa.Column('cameras_searched', sa.Integer(), nullable=False),
    sa.Column('officer', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_public_searches'))
    )
    with op.batch_alter_table('public_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_searches_day'), ['day'], unique=False)

    op.create_table('usage_figures',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('figure', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'figure', 'category', name=op.f('pk_usage_figures'))
    )
    op.create_table('audit_report_files',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['audit_reports.id'], name=op.f('fk_audit_report_files_report_id_audit_reports')),
    sa.PrimaryKeyConstraint('report_id', 'name', name=op.f('pk_audit_report_files'))
    )
    op.create_table('audit_report_sendings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=100), nullable=False),
    sa.Column('reference', sa.String(length=300), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['audit_reports.id'], name=op.f('fk_audit_report_sendings_report_id_audit_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_report_sendings'))
    )
    with op.batch_alter_table('audit_report_sendings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_report_sendings_report_id'), ['report_id'], unique=False)

    op.create_table('camera_heard_hours',
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_camera_heard_hours_camera_id_cameras')),
    sa.PrimaryKeyConstraint('camera_id', 'day', name=op.f('pk_camera_heard_hours'))
    )
    op.create_table('camera_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('camera', 'person', name='problem_source', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('reported_by', sa.String(length=200), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('resolution', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_camera_problems_camera_id_cameras')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_problems'))
    )
    with op.batch_alter_table('camera_problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_problems_camera_id'), ['camera_id'], unique=False)

    op.create_table('suspension_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issued_by', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('lifted_on', sa.Date(), nullable=True),
    sa.Column('lift_reference', sa.String(length=200), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_suspension_orders_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_suspension_orders_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suspension_orders'))
    )
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_heard_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('log_of_use_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours_heard', sa.String(length=24), server_default='000000000000000000000000', nullable=False))
        batch_op.add_column(sa.Column('reads_by_hour', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('log_of_use_days', schema=None) as batch_op:
        batch_op.drop_column('reads_by_hour')
        batch_op.drop_column('hours_heard')

    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.drop_column('last_heard_at')

    op.drop_table('suspension_orders')
    with op.batch_alter_table('camera_problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_problems_camera_id'))

    op.drop_table('camera_problems')
    op.drop_table('camera_heard_hours')
    with op.batch_alter_table('audit_report_sendings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_report_sendings_report_id'))

    op.drop_table('audit_report_sendings')
    op.drop_table('audit_report_files')
    op.drop_table('usage_figures')
    with op.batch_alter_table('public_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_searches_day'))

    op.drop_table('public_searches')
    op.drop_table('audit_reports')
