"""Retention: holds (replacing the plate-only investigation holds), purge runs
and their counts per camera and day, daily collection tallies, image
tombstones; the scheduler's job runs; when a grant's expiry was recorded.

Holds carried over from `investigation_holds` name their plate only by its
keyed hash: they keep the Safe at Home exception but select no reads for the
purge until re-placed with the plate.

Revision ID: 0008_retention_holds_jobs
Revises: 0007_readers_and_hit_checks
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_retention_holds_jobs'
down_revision = '0007_readers_and_hit_checks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('investigation', 'exculpatory', name='holdkind', native_enum=False, length=20),
              nullable=False),
    sa.Column('case_number', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('plate', sa.String(length=12), nullable=True),
    sa.Column('plate_hash', sa.String(length=64), nullable=True),
    sa.Column('window_start', sa.DateTime(), nullable=True),
    sa.Column('window_end', sa.DateTime(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=True),
    sa.Column('request_document', sa.String(length=64), nullable=True),
    sa.Column('request_document_type', sa.String(length=50), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_holds_created_by_id_users')),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_holds_released_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holds'))
    )
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holds_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_holds_plate'), ['plate'], unique=False)
        batch_op.create_index(batch_op.f('ix_holds_plate_hash'), ['plate_hash'], unique=False)
    op.create_table('hold_cameras',
    sa.Column('hold_id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_hold_cameras_camera_id_cameras')),
    sa.ForeignKeyConstraint(['hold_id'], ['holds.id'], name=op.f('fk_hold_cameras_hold_id_holds')),
    sa.PrimaryKeyConstraint('hold_id', 'camera_id', name=op.f('pk_hold_cameras'))
    )
    op.create_table('purge_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('reads_destroyed', sa.Integer(), nullable=False),
    sa.Column('reads_held', sa.Integer(), nullable=False),
    sa.Column('alerts_destroyed', sa.Integer(), nullable=False),
    sa.Column('images_destroyed', sa.Integer(), nullable=False),
    sa.Column('private_details_erased', sa.Integer(), nullable=False),
    sa.Column('partitions_dropped', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purge_runs'))
    )
    with op.batch_alter_table('purge_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purge_runs_started_at'), ['started_at'], unique=False)
    op.create_table('purge_counts',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('destroyed', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('holds', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['purge_runs.id'], name=op.f('fk_purge_counts_run_id_purge_runs')),
    sa.PrimaryKeyConstraint('run_id', 'camera_id', 'day', name=op.f('pk_purge_counts'))
    )
    op.create_table('collection_tallies',
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reads', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('camera_id', 'day', name=op.f('pk_collection_tallies'))
    )
    op.create_table('image_tombstones',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_image_tombstones'))
    )
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_runs_job'), ['job'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_started_at'), ['started_at'], unique=False)
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_recorded_at', sa.DateTime(), nullable=True))
    op.execute("INSERT INTO holds (kind, case_number, reason, plate_hash, review_on, created_by_id, created_at, "
               "released_at) SELECT 'investigation', case_number, reason, plate_hash, expires_on, created_by_id, "
               "created_at, released_at FROM investigation_holds")
    with op.batch_alter_table('investigation_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investigation_holds_plate_hash'))
    op.drop_table('investigation_holds')


def downgrade():
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
    op.execute("INSERT INTO investigation_holds (plate_hash, case_number, reason, created_by_id, created_at, "
               "expires_on, released_at) SELECT plate_hash, case_number, reason, created_by_id, created_at, "
               "review_on, released_at FROM holds WHERE kind = 'investigation' AND plate_hash IS NOT NULL")
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_column('expiry_recorded_at')
    for table in ('job_runs', 'image_tombstones', 'collection_tallies', 'purge_counts', 'purge_runs', 'hold_cameras'):
        op.drop_table(table)
    op.drop_table('holds')
