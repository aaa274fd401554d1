"""pending_rollups: ancestors' shares of each movement, settled after the answer, not inside it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_rollups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("in_transit_in", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("printed", sa.Integer(), nullable=False),
        sa.Column("spoiled", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_pending_rollups_office_id_offices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_rollups")),
    )


def downgrade():
    op.drop_table("pending_rollups")
