"""Foundation: organisations and users, second factors, training and written
authorisations, API tokens, the audit ledger, cameras and settings.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('tree_size', sa.BigInteger(), nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('chain_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_at_text', sa.String(length=40), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_checkpoints'))
    )
    with op.batch_alter_table('ledger_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_checkpoints_tree_size'), ['tree_size'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('actor_org_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('subject_type', sa.String(length=50), nullable=True),
    sa.Column('subject_id', sa.String(length=100), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('case_number', sa.String(length=100), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('private_digest', sa.String(length=64), nullable=True),
    sa.Column('leaf_hash', sa.String(length=64), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=True),
    sa.Column('chain_hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('position', name=op.f('uq_ledger_entries_position'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_ledger_entries_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('ledger_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('chain_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_state'))
    )
    op.create_table('ledger_tree_nodes',
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('idx', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('level', 'idx', name=op.f('pk_ledger_tree_nodes'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('agency', 'hoa', 'business', 'outside_agency', name='organisation_kind', native_enum=False, length=30), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    op.create_table('cameras',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('location_description', sa.String(length=300), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('direction', sa.String(length=40), nullable=False),
    sa.Column('fixed', sa.Boolean(), nullable=False),
    sa.Column('vendor', sa.String(length=120), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('installed_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('active', 'paused', 'retired', name='camera_status', native_enum=False, length=20), nullable=False),
    sa.Column('sharing_mode', sa.Enum('private', 'alerts_only', 'shared', name='sharing_mode', native_enum=False, length=20), nullable=False),
    sa.Column('bca_notice_due_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_cameras_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cameras')),
    sa.UniqueConstraint('organisation_id', 'name', name='uq_cameras_organisation_name')
    )
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cameras_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('ledger_private_details',
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('salt', sa.LargeBinary(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_private_details_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_ledger_private_details'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('partner_admin', 'officer', 'alpr_admin', 'chief', 'records', 'agency_requester', 'auditor', 'hub_admin', name='user_role', native_enum=False, length=30), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('lookup', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('lookup', name=op.f('uq_api_tokens_lookup'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=200), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table('settings',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('training_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('course', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_training_acknowledgements_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_acknowledgements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_acknowledgements'))
    )
    with op.batch_alter_table('training_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_acknowledgements_user_id'), ['user_id'], unique=False)

    op.create_table('written_authorisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_written_authorisations_signed_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_written_authorisations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_authorisations'))
    )
    with op.batch_alter_table('written_authorisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_written_authorisations_user_id'), ['user_id'], unique=False)

    # The sealer locks this one row; it exists from the start.
    op.bulk_insert(sa.table("ledger_state", sa.column("id", sa.Integer), sa.column("size", sa.BigInteger),
                            sa.column("chain_hash", sa.String)),
                   [{"id": 1, "size": 0, "chain_hash": "0" * 64}])


def downgrade():
    with op.batch_alter_table('written_authorisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_written_authorisations_user_id'))

    op.drop_table('written_authorisations')
    with op.batch_alter_table('training_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_acknowledgements_user_id'))

    op.drop_table('training_acknowledgements')
    op.drop_table('settings')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    op.drop_table('ledger_private_details')
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cameras_organisation_id'))

    op.drop_table('cameras')
    op.drop_table('organisations')
    op.drop_table('ledger_tree_nodes')
    op.drop_table('ledger_state')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_subject')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_created_at'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_case_number'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_actor_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_action'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('ledger_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_checkpoints_tree_size'))

    op.drop_table('ledger_checkpoints')
