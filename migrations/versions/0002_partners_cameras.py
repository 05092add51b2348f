"""Partner enrolment and the camera registry: organisation status and
contact, accepted terms, invitations, camera location history, ingest
credentials, BCA notice dates, owner retention, and the ledger's index of
the cameras each entry touched.

Revision ID: 0002_partners_cameras
Revises: 0001_foundation
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_partners_cameras'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_entry_cameras',
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_entry_cameras_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('camera_id', 'entry_id', name=op.f('pk_ledger_entry_cameras'))
    )
    op.create_table('camera_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('lookup', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_camera_credentials_camera_id_cameras')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_credentials')),
    sa.UniqueConstraint('lookup', name=op.f('uq_camera_credentials_lookup'))
    )
    with op.batch_alter_table('camera_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_credentials_camera_id'), ['camera_id'], unique=False)

    op.create_table('camera_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_camera_locations_camera_id_cameras')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_locations'))
    )
    with op.batch_alter_table('camera_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_locations_camera_id'), ['camera_id'], unique=False)

    op.create_table('partner_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('lookup', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_user_id'], ['users.id'], name=op.f('fk_partner_invitations_accepted_user_id_users')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_partner_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_partner_invitations_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_invitations')),
    sa.UniqueConstraint('lookup', name=op.f('uq_partner_invitations_lookup'))
    )
    with op.batch_alter_table('partner_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_invitations_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('terms_acceptances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_terms_acceptances_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_terms_acceptances_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms_acceptances'))
    )
    with op.batch_alter_table('terms_acceptances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terms_acceptances_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bca_notice_sent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retired_on', sa.Date(), nullable=True))

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('pending', 'approved', 'declined', name='organisation_status', native_enum=False, length=30), nullable=False, server_default='approved'))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organisations_decided_by_id_users'), 'users', ['decided_by_id'], ['id'])

    # Every camera registered so far stands where it was installed.
    op.execute("INSERT INTO camera_locations (camera_id, latitude, longitude, description, from_date) "
               "SELECT id, latitude, longitude, location_description, installed_on FROM cameras")


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisations_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_column('decision_reason')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_name')
        batch_op.drop_column('status')

    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.drop_column('retired_on')
        batch_op.drop_column('retention_days')
        batch_op.drop_column('bca_notice_sent_on')

    with op.batch_alter_table('terms_acceptances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terms_acceptances_organisation_id'))

    op.drop_table('terms_acceptances')
    with op.batch_alter_table('partner_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_invitations_organisation_id'))

    op.drop_table('partner_invitations')
    with op.batch_alter_table('camera_locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_locations_camera_id'))

    op.drop_table('camera_locations')
    with op.batch_alter_table('camera_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_credentials_camera_id'))

    op.drop_table('camera_credentials')
    op.drop_table('ledger_entry_cameras')
