"""complaint responses for the staff complaint pages (backoffice.web.complaints): what staff
did about a complaint (a contact by phone, in person or by message, or an internal note), who
and when; the first contact stops the complaint's 4-hour clock

Revision 0005 (after 0004), written 2026-11-26.
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('staff_name', sa.String(length=100), nullable=False),
    sa.Column('staff_role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_responses_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], name=op.f('fk_complaint_responses_staff_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_responses'))
    )
    with op.batch_alter_table('complaint_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_responses_complaint_id'), ['complaint_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('complaint_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_responses_complaint_id'))

    op.drop_table('complaint_responses')
