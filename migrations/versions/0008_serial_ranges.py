"""serial_ranges, serial_moves, offices.serials_required: custody of serialled blanks by range

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ONE_HOLDER = (
    "(CASE WHEN office_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN transfer_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN ended_by_id IS NULL THEN 0 ELSE 1 END) = 1"
)
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "serial_ranges",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("prefix", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("first", sa.BigInteger(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.Column("root_id", sa.BigInteger(), nullable=True),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("transfer_id", _BIG_ID, nullable=True),
        sa.Column("ended_by_id", _BIG_ID, nullable=True),
        sa.CheckConstraint("first >= 0 AND first <= last", name=op.f("ck_serial_ranges_first_last")),
        sa.CheckConstraint("width >= 0 AND width <= 18", name=op.f("ck_serial_ranges_width")),
        sa.CheckConstraint(_ONE_HOLDER, name=op.f("ck_serial_ranges_one_holder")),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["movements.id"], name=op.f("fk_serial_ranges_ended_by_id_movements")
        ),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_serial_ranges_office_id_offices")),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_serial_ranges_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serial_ranges")),
        sa.UniqueConstraint("prefix", "width", "first", name="uq_serial_ranges_prefix_width_first"),
    )
    op.create_index(op.f("ix_serial_ranges_ended_by_id"), "serial_ranges", ["ended_by_id"], unique=False)
    op.create_index(op.f("ix_serial_ranges_transfer_id"), "serial_ranges", ["transfer_id"], unique=False)
    op.create_index(
        "ix_serial_ranges_office_id_prefix_width_first",
        "serial_ranges",
        ["office_id", "prefix", "width", "first"],
        unique=False,
    )
    op.create_table(
        "serial_moves",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("root_id", sa.BigInteger(), nullable=False),
        sa.Column("movement_id", _BIG_ID, nullable=False),
        sa.Column("first", sa.BigInteger(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["movement_id"], ["movements.id"], name=op.f("fk_serial_moves_movement_id_movements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serial_moves")),
    )
    op.create_index(op.f("ix_serial_moves_movement_id"), "serial_moves", ["movement_id"], unique=False)
    op.create_index("ix_serial_moves_root_id_first", "serial_moves", ["root_id", "first"], unique=False)
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("serials_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_column("serials_required")
    op.drop_index("ix_serial_moves_root_id_first", table_name="serial_moves")
    op.drop_index(op.f("ix_serial_moves_movement_id"), table_name="serial_moves")
    op.drop_table("serial_moves")
    op.drop_index("ix_serial_ranges_office_id_prefix_width_first", table_name="serial_ranges")
    op.drop_index(op.f("ix_serial_ranges_transfer_id"), table_name="serial_ranges")
    op.drop_index(op.f("ix_serial_ranges_ended_by_id"), table_name="serial_ranges")
    op.drop_table("serial_ranges")
