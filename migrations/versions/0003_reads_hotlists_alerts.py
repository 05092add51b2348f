"""Reads (on PostgreSQL partitioned by day, with a default partition and a
trigram index for partial plates), Safe at Home requests, investigation
holds, hotlists and their imports, alerts and webhook deliveries.

Revision ID: 0003_reads_hotlists_alerts
Revises: 0002_partners_cameras
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_reads_hotlists_alerts'
down_revision = '0002_partners_cameras'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hotlist_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.Column('replaced_import_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotlist_imports'))
    )
    op.create_table('hotlist_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotlist_version'))
    )
    op.create_table('hotlist_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.Enum('manual', 'state_file', name='entrysource', native_enum=False, length=20), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('plate', sa.String(length=12), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('plate_state', sa.String(length=2), nullable=True),
    sa.Column('reason_category', sa.String(length=40), nullable=False),
    sa.Column('case_number', sa.String(length=100), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('non_encounter', sa.Boolean(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hotlist_entries_created_by_id_users')),
    sa.ForeignKeyConstraint(['import_id'], ['hotlist_imports.id'], name=op.f('fk_hotlist_entries_import_id_hotlist_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotlist_entries'))
    )
    with op.batch_alter_table('hotlist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_hotlist_entries_active', ['removed_at', 'source'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotlist_entries_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotlist_entries_plate'), ['plate'], unique=False)

    op.create_table('investigation_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plate_hash', sa.String(length=64), nullable=False),
    sa.Column('case_number', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_investigation_holds_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investigation_holds'))
    )
    with op.batch_alter_table('investigation_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investigation_holds_plate_hash'), ['plate_hash'], unique=False)

    op.create_table('reads',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('captured_at', sa.DateTime(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('camera_read_id', sa.String(length=64), nullable=False),
    sa.Column('plate', sa.String(length=12), nullable=False),
    sa.Column('plate_state', sa.String(length=2), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('recognised_by', sa.String(length=10), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('plate_image', sa.String(length=64), nullable=True),
    sa.Column('vehicle_image', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_reads_camera_id_cameras')),
    sa.PrimaryKeyConstraint('id', 'captured_at', name=op.f('pk_reads')),
    sa.UniqueConstraint('camera_id', 'camera_read_id', 'captured_at', name='uq_reads_camera_read'),
    postgresql_partition_by='RANGE (captured_at)'
    )
    with op.batch_alter_table('reads', schema=None) as batch_op:
        batch_op.create_index('ix_reads_camera_time', ['camera_id', 'captured_at'], unique=False)
        batch_op.create_index('ix_reads_plate_time', ['plate', 'captured_at'], unique=False)

    op.create_table('safe_at_home_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plate_hash', sa.String(length=64), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('document', sa.String(length=64), nullable=False),
    sa.Column('document_type', sa.String(length=50), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reads_destroyed', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_safe_at_home_requests_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safe_at_home_requests'))
    )
    with op.batch_alter_table('safe_at_home_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safe_at_home_requests_plate_hash'), ['plate_hash'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('read_id', sa.BigInteger(), nullable=False),
    sa.Column('captured_at', sa.DateTime(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('hotlist_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plate', sa.String(length=12), nullable=False),
    sa.Column('plate_image', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('new', 'verified', 'rejected', name='alertstatus', native_enum=False, length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_alerts_camera_id_cameras')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_alerts_decided_by_id_users')),
    sa.ForeignKeyConstraint(['hotlist_entry_id'], ['hotlist_entries.id'], name=op.f('fk_alerts_hotlist_entry_id_hotlist_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_camera_id'), ['camera_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_read_id'), ['read_id'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_webhook_deliveries_alert_id_alerts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.bulk_insert(sa.table("hotlist_version", sa.column("id", sa.Integer), sa.column("version", sa.BigInteger)),
                   [{"id": 1, "version": 0}])
    if op.get_bind().dialect.name == "postgresql":
        # Reads of a day without its own partition land here rather than fail;
        # the scheduler creates each day's partition ahead of time.
        op.execute("CREATE TABLE reads_default PARTITION OF reads DEFAULT")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_reads_plate_trgm ON reads USING gin (plate gin_trgm_ops)")


def downgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_alert_id'))

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_read_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_created_at'))
        batch_op.drop_index(batch_op.f('ix_alerts_camera_id'))

    op.drop_table('alerts')
    with op.batch_alter_table('safe_at_home_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safe_at_home_requests_plate_hash'))

    op.drop_table('safe_at_home_requests')
    with op.batch_alter_table('reads', schema=None) as batch_op:
        batch_op.drop_index('ix_reads_plate_time')
        batch_op.drop_index('ix_reads_camera_time')

    op.drop_table('reads')
    with op.batch_alter_table('investigation_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investigation_holds_plate_hash'))

    op.drop_table('investigation_holds')
    with op.batch_alter_table('hotlist_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotlist_entries_plate'))
        batch_op.drop_index(batch_op.f('ix_hotlist_entries_import_id'))
        batch_op.drop_index('ix_hotlist_entries_active')

    op.drop_table('hotlist_entries')
    op.drop_table('hotlist_version')
    op.drop_table('hotlist_imports')
