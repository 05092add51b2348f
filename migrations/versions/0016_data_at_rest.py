"""Owner-keyed encryption at rest: data keys (per organisation and day,
kept wrapped outside the database), reads and alerts holding their plate
sealed and its hash under the day's key instead of the plate, each read's
classification under the statute, the holds' plates hashed under each live
key, the purge's count of keys destroyed, and partners that left the
network with their destruction receipts.
Reads already stored are sealed here, under the configured key-encryption
key (the hub's own migration command runs with it).

Revision ID: 0016_data_at_rest
Revises: 0015_transparency_audit
Create Date: 2026-12-01
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_data_at_rest'
down_revision = '0015_transparency_audit'
branch_labels = None
depends_on = None


def _seal_existing(bind) -> None:
    """Seal the plates of reads stored before this revision (none on a new hub)."""
    if not bind.execute(sa.text("SELECT 1 FROM reads LIMIT 1")).first():
        return
    from flask import current_app
    from hub.keys.envelope import DataKeyHandle
    from hub.keys.services import read_aad

    store = current_app.extensions["data_keys"].store
    rows = bind.execute(sa.text("SELECT id, captured_at, organisation_id, plate FROM reads")).all()
    keys = {}
    for read_id, captured_at, organisation_id, plate in rows:
        moment = captured_at if isinstance(captured_at, datetime) else datetime.fromisoformat(str(captured_at))
        day = moment.date()
        if (organisation_id, day) not in keys:
            store.create(organisation_id, day)
            key_id = bind.execute(sa.text(
                "INSERT INTO data_keys (organisation_id, day, kek_fingerprint, created_at) "
                "VALUES (:o, :d, :f, :c) RETURNING id"),
                {"o": organisation_id, "d": day, "f": store.current.fingerprint,
                 "c": datetime.now(timezone.utc).replace(tzinfo=None)}).scalar_one()
            keys[(organisation_id, day)] = DataKeyHandle(key_id, organisation_id, day, store.open(organisation_id, day))
        key = keys[(organisation_id, day)]
        bind.execute(sa.text("UPDATE reads SET plate_sealed = :s, plate_hash = :h, key_id = :k WHERE id = :i"),
                     {"s": key.seal(plate.encode(), read_aad(read_id)), "h": key.plate_hash(plate), "k": key.id,
                      "i": read_id})
    bind.execute(sa.text("UPDATE alerts SET plate_sealed = (SELECT r.plate_sealed FROM reads r WHERE r.id = "
                         "alerts.read_id), key_id = (SELECT r.key_id FROM reads r WHERE r.id = alerts.read_id)"))
    bind.execute(sa.text("DELETE FROM alerts WHERE key_id IS NULL"))  # an alert whose read is gone names no plate


def upgrade():
    op.create_table('data_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kek_fingerprint', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(), nullable=True),
    sa.Column('destroyed_reason', sa.String(length=200), nullable=True),
    sa.Column('shredded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_data_keys_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_keys')),
    sa.UniqueConstraint('organisation_id', 'day', name='uq_data_keys_organisation_day')
    )
    with op.batch_alter_table('data_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_keys_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_keys_kek_fingerprint'), ['kek_fingerprint'], unique=False)
    op.create_table('hold_plate_hashes',
    sa.Column('hold_id', sa.Integer(), nullable=False),
    sa.Column('plate_hash', sa.String(length=32), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hold_id'], ['holds.id'], name=op.f('fk_hold_plate_hashes_hold_id_holds')),
    sa.ForeignKeyConstraint(['key_id'], ['data_keys.id'], name=op.f('fk_hold_plate_hashes_key_id_data_keys')),
    sa.PrimaryKeyConstraint('hold_id', 'plate_hash', name=op.f('pk_hold_plate_hashes'))
    )
    with op.batch_alter_table('hold_plate_hashes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hold_plate_hashes_key_id'), ['key_id'], unique=False)
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_at', sa.DateTime(), nullable=True))
    op.create_table('partner_departures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('left_at', sa.DateTime(), nullable=False),
    sa.Column('receipt', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_partner_departures_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_partner_departures_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_departures')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_partner_departures_organisation_id'))
    )
    with op.batch_alter_table('purge_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keys_destroyed', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('reads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plate_sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('plate_hash', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('classification', sa.String(length=40), nullable=True))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plate_sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.Integer(), nullable=True))
    _seal_existing(op.get_bind())
    # Minn. Stat. 13.824 subd. 1: a partner's device is a reader to the extent its data are shared with the agency.
    op.execute("UPDATE reads SET classification = CASE WHEN organisation_id IN (SELECT id FROM organisations WHERE "
               "kind = 'agency') THEN 'alpr_data' ELSE 'alpr_data,partner_device' END")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_reads_plate_trgm")
    with op.batch_alter_table('reads', schema=None) as batch_op:
        batch_op.drop_index('ix_reads_plate_time')
        batch_op.drop_column('plate')
        batch_op.alter_column('plate_sealed', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.alter_column('plate_hash', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('key_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('classification', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_index('ix_reads_plate_hash_time', ['plate_hash', 'captured_at'], unique=False)
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('plate')
        batch_op.alter_column('plate_sealed', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.alter_column('key_id', existing_type=sa.Integer(), nullable=False)


def downgrade():
    raise RuntimeError("Plates sealed under data keys are not put back in clear: restore a backup taken before "
                       "revision 0016 instead.")
