"""Outside agencies' written data requests: the request kept on file with
its decision and release, download links, decision webhooks; a client's
webhook address and its client-credentials tokens; the neighbouring hubs
this hub asks, and the packages received from them.

Revision ID: 0014_outside_agency_requests
Revises: 0013_possible_hits
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_outside_agency_requests'
down_revision = '0013_possible_hits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('federation_peers',
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=48), nullable=False),
    sa.Column('client_secret_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('webhook_secret_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('origin', name=op.f('pk_federation_peers'))
    )
    op.create_table('oauth_client_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=48), nullable=False),
    sa.Column('access_token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_client_tokens')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_oauth_client_tokens_access_token_hash'))
    )
    with op.batch_alter_table('oauth_client_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_client_tokens_client_id'), ['client_id'], unique=False)

    op.create_table('received_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('peer_origin', sa.String(length=200), nullable=False),
    sa.Column('remote_request_id', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=100), nullable=True),
    sa.Column('decision', sa.String(length=30), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('package_sha256', sa.String(length=64), nullable=True),
    sa.Column('manifest', sa.Text(), nullable=True),
    sa.Column('classification', sa.String(length=200), nullable=True),
    sa.Column('reads', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('destroy_by', sa.DateTime(), nullable=True),
    sa.Column('destroyed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['peer_origin'], ['federation_peers.origin'], name=op.f('fk_received_releases_peer_origin_federation_peers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_received_releases'))
    )
    with op.batch_alter_table('received_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_releases_destroy_by'), ['destroy_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_received_releases_peer_origin'), ['peer_origin'], unique=False)

    op.create_table('data_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_client', sa.String(length=48), nullable=True),
    sa.Column('channel', sa.Enum('form', 'api', 'letter', name='channel', native_enum=False, length=30), nullable=False),
    sa.Column('status', sa.Enum('awaiting_review', 'with_records', 'awaiting_preparation', 'awaiting_decision', 'denied', 'released', 'closed', name='requeststatus', native_enum=False, length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('follows_request_id', sa.Integer(), nullable=True),
    sa.Column('agency_name', sa.String(length=200), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('offense_type', sa.String(length=64), nullable=False),
    sa.Column('factual_basis', sa.Text(), nullable=False),
    sa.Column('case_number', sa.String(length=100), nullable=False),
    sa.Column('authorization_statement', sa.Text(), nullable=False),
    sa.Column('out_of_state_declaration', sa.Boolean(), nullable=False),
    sa.Column('recipient_state', sa.String(length=2), nullable=False),
    sa.Column('plates', sa.Text(), nullable=False),
    sa.Column('camera_ids', sa.Text(), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('window_end', sa.DateTime(), nullable=False),
    sa.Column('letter_sha256', sa.String(length=64), nullable=True),
    sa.Column('letter_media_type', sa.String(length=50), nullable=True),
    sa.Column('letter_filename', sa.String(length=200), nullable=True),
    sa.Column('letter_pages', sa.Integer(), nullable=True),
    sa.Column('letter_text', sa.Text(), nullable=True),
    sa.Column('letter_fields', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('prepared_by_id', sa.Integer(), nullable=True),
    sa.Column('prepared_at', sa.DateTime(), nullable=True),
    sa.Column('search_plates', sa.Text(), nullable=True),
    sa.Column('search_camera_ids', sa.Text(), nullable=True),
    sa.Column('search_start', sa.DateTime(), nullable=True),
    sa.Column('search_end', sa.DateTime(), nullable=True),
    sa.Column('decision', sa.Enum('approved', 'approved_in_part', 'denied', name='decision', native_enum=False, length=30), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('finding', sa.Text(), nullable=True),
    sa.Column('reasonable_suspicion', sa.Boolean(), nullable=True),
    sa.Column('approved_plates', sa.Text(), nullable=True),
    sa.Column('approved_camera_ids', sa.Text(), nullable=True),
    sa.Column('approved_start', sa.DateTime(), nullable=True),
    sa.Column('approved_end', sa.DateTime(), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('package_sha256', sa.String(length=64), nullable=True),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=True),
    sa.Column('reads_released', sa.Integer(), nullable=True),
    sa.Column('release_entry_id', sa.Integer(), nullable=True),
    sa.Column('package_available_until', sa.DateTime(), nullable=True),
    sa.Column('package_destroyed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('records_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_data_requests_closed_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_data_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['follows_request_id'], ['data_requests.id'], name=op.f('fk_data_requests_follows_request_id_data_requests')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_data_requests_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['users.id'], name=op.f('fk_data_requests_prepared_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_data_requests_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_data_requests_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_requests'))
    )
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_requests_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_requests_status'), ['status'], unique=False)

    op.create_table('data_request_downloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['data_requests.id'], name=op.f('fk_data_request_downloads_request_id_data_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_request_downloads')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_data_request_downloads_token_hash'))
    )
    with op.batch_alter_table('data_request_downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_request_downloads_recipient'), ['recipient'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_request_downloads_request_id'), ['request_id'], unique=False)

    op.create_table('data_request_webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=48), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['data_requests.id'], name=op.f('fk_data_request_webhooks_request_id_data_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_request_webhooks'))
    )
    with op.batch_alter_table('data_request_webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_request_webhooks_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_request_webhooks_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_url', sa.String(length=500), nullable=True))



def downgrade():
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.drop_column('webhook_url')

    with op.batch_alter_table('data_request_webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_request_webhooks_request_id'))
        batch_op.drop_index(batch_op.f('ix_data_request_webhooks_next_attempt_at'))

    op.drop_table('data_request_webhooks')
    with op.batch_alter_table('data_request_downloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_request_downloads_request_id'))
        batch_op.drop_index(batch_op.f('ix_data_request_downloads_recipient'))

    op.drop_table('data_request_downloads')
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_requests_status'))
        batch_op.drop_index(batch_op.f('ix_data_requests_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_data_requests_case_number'))

    op.drop_table('data_requests')
    with op.batch_alter_table('received_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_releases_peer_origin'))
        batch_op.drop_index(batch_op.f('ix_received_releases_destroy_by'))

    op.drop_table('received_releases')
    with op.batch_alter_table('oauth_client_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_client_tokens_client_id'))

    op.drop_table('oauth_client_tokens')
    op.drop_table('federation_peers')
