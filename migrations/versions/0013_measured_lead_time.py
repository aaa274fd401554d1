"""measured_lead_time: offices.measured_lead_time_days, the median days from submission to first
receipt over the office's last fulfilled requests for blanks (issue 13)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 18:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("measured_lead_time_days", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_column("measured_lead_time_days")
