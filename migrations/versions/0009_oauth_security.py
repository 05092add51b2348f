"""OAuth security: an access request is bound to one OAuth client; the
partner's own decision is kept; authorization codes are kept once used
(a second use revokes what the first produced, RFC 6749 4.1.2) and tokens
remember the code they came from and why they were revoked.

Revision ID: 0009_oauth_security
Revises: 0008_retention_holds_jobs
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_oauth_security'
down_revision = '0008_retention_holds_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oauth_client_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('partner_decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('partner_decided_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_access_requests_oauth_client_id_oauth_clients'),
                                    'oauth_clients', ['oauth_client_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_access_requests_partner_decided_by_id_users'),
                                    'users', ['partner_decided_by_id'], ['id'])

    with op.batch_alter_table('oauth_authorization_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authorization_code_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=30), nullable=True))
        batch_op.create_index(batch_op.f('ix_oauth_tokens_authorization_code_id'), ['authorization_code_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_oauth_tokens_authorization_code_id_oauth_authorization_codes'),
                                    'oauth_authorization_codes', ['authorization_code_id'], ['id'])


def downgrade():
    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_oauth_tokens_authorization_code_id_oauth_authorization_codes'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_oauth_tokens_authorization_code_id'))
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('authorization_code_id')

    with op.batch_alter_table('oauth_authorization_codes', schema=None) as batch_op:
        batch_op.drop_column('used_at')

    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_access_requests_partner_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_access_requests_oauth_client_id_oauth_clients'), type_='foreignkey')
        batch_op.drop_column('partner_decided_at')
        batch_op.drop_column('partner_decided_by_id')
        batch_op.drop_column('oauth_client_id')
