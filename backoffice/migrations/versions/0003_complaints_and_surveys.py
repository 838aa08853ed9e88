"""complaints and surveys: kiosk complaints (pengaduan, due 4 h after receipt) and the
anonymous SKM survey answers (nine elements, 1-4)

Revision 0003 (after 0002), written 2026-11-25.
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_number', sa.String(length=64), nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('village_code', sa.String(length=32), nullable=False),
    sa.Column('resident_nik', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_complaints_kiosk_id_kiosks')),
    sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_complaints_village_code_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('complaint_number', name=op.f('uq_complaints_complaint_number'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_resident_nik'), ['resident_nik'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_village_code'), ['village_code'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.String(length=64), nullable=False),
    sa.Column('kiosk_id', sa.String(length=32), nullable=False),
    sa.Column('village_code', sa.String(length=32), nullable=False),
    sa.Column('letter', sa.String(length=64), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('persyaratan', sa.Integer(), nullable=False),
    sa.Column('prosedur', sa.Integer(), nullable=False),
    sa.Column('waktu', sa.Integer(), nullable=False),
    sa.Column('biaya', sa.Integer(), nullable=False),
    sa.Column('produk', sa.Integer(), nullable=False),
    sa.Column('kompetensi', sa.Integer(), nullable=False),
    sa.Column('perilaku', sa.Integer(), nullable=False),
    sa.Column('pengaduan', sa.Integer(), nullable=False),
    sa.Column('sarana', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_survey_responses_kiosk_id_kiosks')),
    sa.ForeignKeyConstraint(['village_code'], ['villages.code'], name=op.f('fk_survey_responses_village_code_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('survey_id', name=op.f('uq_survey_responses_survey_id'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_village_code'), ['village_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_village_code'))

    op.drop_table('survey_responses')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_village_code'))
        batch_op.drop_index(batch_op.f('ix_complaints_resident_nik'))
        batch_op.drop_index(batch_op.f('ix_complaints_due_at'))

    op.drop_table('complaints')
