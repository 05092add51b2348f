"""The consent link the agency's client prepares for the partner.

Revision ID: 0006_consent_url
Revises: 0005_grants
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_consent_url'
down_revision = '0005_grants'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_url', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_column('consent_url')

