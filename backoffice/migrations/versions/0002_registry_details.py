"""registry details: education, blood type, family relationship

Revision 0002 (after 0001), written 2026-11-25.
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('education', sa.String(length=50), server_default='', nullable=False))
        batch_op.add_column(sa.Column('blood_type', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('family_relationship', sa.String(length=50), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_column('family_relationship')
        batch_op.drop_column('blood_type')
        batch_op.drop_column('education')

