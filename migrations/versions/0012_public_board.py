"""public_board: what an office shows residents on the public stock board (issue 15)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_quantity", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("public_stale_days", sa.Integer(), server_default="3", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_offices_public_stale_days_positive"), "public_stale_days > 0"
        )


def downgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_offices_public_stale_days_positive"), type_="check")
        batch_op.drop_column("public_stale_days")
        batch_op.drop_column("public_quantity")
