"""The initial schema: the tables as `create_all` made them before migrations existed.

Revision 0001 (the first), written 2026-11-25. A database made by `create_all` has some or all
of these tables already (older versions made fewer): each table is created only when missing,
which adopts such a database without losing a row.
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'villages' not in existing:
        op.create_table('villages',
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('profile_json', sa.Text(), nullable=False),
        sa.Column('card_key', sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_villages'))
        )
    if 'kiosks' not in existing:
        op.create_table('kiosks',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('village_code', sa.String(length=32), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_kiosks_village_code_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosks')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_kiosks_token_hash'))
        )
        with op.batch_alter_table('kiosks', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_kiosks_village_code'), ['village_code'], unique=False)
    if 'letter_counters' not in existing:
        op.create_table('letter_counters',
        sa.Column('village_code', sa.String(length=32), nullable=False),
        sa.Column('letter', sa.String(length=64), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_letter_counters_village_code_villages')),
        sa.PrimaryKeyConstraint('village_code', 'letter', 'year', name=op.f('pk_letter_counters'))
        )
    if 'registry_versions' not in existing:
        op.create_table('registry_versions',
        sa.Column('village_code', sa.String(length=32), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_registry_versions_village_code_villages')),
        sa.PrimaryKeyConstraint('village_code', name=op.f('pk_registry_versions'))
        )
    if 'residents' not in existing:
        op.create_table('residents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('village_code', sa.String(length=32), nullable=False),
        sa.Column('nik', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('birth_place', sa.String(length=100), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('sex', sa.String(length=1), nullable=False),
        sa.Column('address', sa.String(length=300), nullable=False),
        sa.Column('dusun', sa.String(length=100), nullable=False),
        sa.Column('rt', sa.String(length=3), nullable=False),
        sa.Column('rw', sa.String(length=3), nullable=False),
        sa.Column('religion', sa.String(length=50), nullable=False),
        sa.Column('marital_status', sa.String(length=50), nullable=False),
        sa.Column('occupation', sa.String(length=100), nullable=False),
        sa.Column('citizenship', sa.String(length=10), nullable=False),
        sa.Column('family_card_number', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_residents_village_code_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_residents')),
        sa.UniqueConstraint('village_code', 'nik', name=op.f('uq_residents_village_code_nik'))
        )
    if 'applications' not in existing:
        op.create_table('applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_number', sa.String(length=64), nullable=False),
        sa.Column('letter', sa.String(length=64), nullable=False),
        sa.Column('village_code', sa.String(length=32), nullable=False),
        sa.Column('kiosk_id', sa.String(length=32), nullable=False),
        sa.Column('resident_nik', sa.String(length=16), nullable=False),
        sa.Column('payload_json', sa.Text(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_applications_kiosk_id_kiosks')),
        sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_applications_village_code_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
        sa.UniqueConstraint('application_number', name=op.f('uq_applications_application_number'))
        )
        with op.batch_alter_table('applications', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_applications_resident_nik'), ['resident_nik'], unique=False)
            batch_op.create_index(batch_op.f('ix_applications_village_code'), ['village_code'], unique=False)
    if 'card_bindings' not in existing:
        op.create_table('card_bindings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('bound_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_card_bindings_resident_id_residents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_card_bindings')),
        sa.UniqueConstraint('fingerprint', name=op.f('uq_card_bindings_fingerprint')),
        sa.UniqueConstraint('resident_id', name=op.f('uq_card_bindings_resident_id'))
        )
    if 'idempotency_records' not in existing:
        op.create_table('idempotency_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kiosk_id', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('response_body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_idempotency_records_kiosk_id_kiosks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
        sa.UniqueConstraint('kiosk_id', 'key', name=op.f('uq_idempotency_records_kiosk_id_key'))
        )
    if 'kiosk_heartbeats' not in existing:
        op.create_table('kiosk_heartbeats',
        sa.Column('kiosk_id', sa.String(length=32), nullable=False),
        sa.Column('last_heartbeat_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status_json', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_kiosk_heartbeats_kiosk_id_kiosks'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_kiosk_heartbeats'))
        )
    if 'kiosk_token_changes' not in existing:
        op.create_table('kiosk_token_changes',
        sa.Column('kiosk_id', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('change', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_kiosk_token_changes_kiosk_id_kiosks'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_kiosk_token_changes'))
        )
    if 'pin_events' not in existing:
        op.create_table('pin_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kiosk_id', sa.String(length=32), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('card', sa.String(length=64), nullable=False),
        sa.Column('outcome', sa.String(length=8), nullable=False),
        sa.Column('kiosk_locked', sa.Boolean(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('effect', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_pin_events_kiosk_id_kiosks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_events')),
        sa.UniqueConstraint('kiosk_id', 'event_id', name=op.f('uq_pin_events_kiosk_id_event_id'))
        )
        with op.batch_alter_table('pin_events', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_pin_events_card'), ['card'], unique=False)
    if 'pin_resets' not in existing:
        op.create_table('pin_resets',
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('reset_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_pin_resets_resident_id_residents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_pin_resets'))
        )
    if 'pins' not in existing:
        op.create_table('pins',
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('pin_hash', sa.String(length=256), nullable=False),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.Column('locked', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_pins_resident_id_residents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_pins'))
        )
    if 'application_events' not in existing:
        op.create_table('application_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_name', sa.String(length=100), nullable=False),
        sa.Column('actor_role', sa.String(length=50), nullable=False),
        sa.Column('from_status', sa.String(length=32), nullable=True),
        sa.Column('to_status', sa.String(length=32), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_events_application_id_applications')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_events'))
        )
        with op.batch_alter_table('application_events', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_application_events_application_id'), ['application_id'], unique=False)
    if 'issued_letters' not in existing:
        op.create_table('issued_letters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('village_code', sa.String(length=32), nullable=False),
        sa.Column('letter', sa.String(length=64), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=128), nullable=False),
        sa.Column('issued', sa.Date(), nullable=False),
        sa.Column('signer_json', sa.Text(), nullable=False),
        sa.Column('token', sa.String(length=512), nullable=False),
        sa.Column('verification_url', sa.String(length=1024), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('issued_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_issued_letters_application_id_applications')),
        sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_issued_letters_village_code_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_letters')),
        sa.UniqueConstraint('application_id', name=op.f('uq_issued_letters_application_id')),
        sa.UniqueConstraint('token', name=op.f('uq_issued_letters_token')),
        sa.UniqueConstraint('village_code', 'letter', 'year', 'sequence', name=op.f('uq_issued_letters_village_code_letter_year_sequence')),
        sa.UniqueConstraint('village_code', 'number', name=op.f('uq_issued_letters_village_code_number'))
        )


def downgrade() -> None:
    op.drop_table('issued_letters')
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_application_id'))

    op.drop_table('application_events')
    op.drop_table('pins')
    op.drop_table('pin_resets')
    with op.batch_alter_table('pin_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pin_events_card'))

    op.drop_table('pin_events')
    op.drop_table('kiosk_token_changes')
    op.drop_table('kiosk_heartbeats')
    op.drop_table('idempotency_records')
    op.drop_table('card_bindings')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_village_code'))
        batch_op.drop_index(batch_op.f('ix_applications_resident_nik'))

    op.drop_table('applications')
    op.drop_table('residents')
    op.drop_table('registry_versions')
    op.drop_table('letter_counters')
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosks_village_code'))

    op.drop_table('kiosks')
    op.drop_table('villages')
