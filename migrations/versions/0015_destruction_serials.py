"""destruction_serials: a signed destruction record links the spoiled serialled blanks it
burned (serial_ranges.destroyed_by_id, the state) and keeps their trail (destruction_serials,
the history, with reversals) (issue 12)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 21:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "destruction_serials",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("destruction_id", BIG_ID, nullable=False),
        sa.Column("root_id", sa.BigInteger(), nullable=False),
        sa.Column("first", sa.BigInteger(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["destruction_id"],
            ["destructions.id"],
            name=op.f("fk_destruction_serials_destruction_id_destructions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destruction_serials")),
    )
    with op.batch_alter_table("destruction_serials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_destruction_serials_destruction_id"), ["destruction_id"], unique=False
        )
        batch_op.create_index("ix_destruction_serials_root_id_first", ["root_id", "first"], unique=False)
    with op.batch_alter_table("serial_ranges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destroyed_by_id", BIG_ID, nullable=True))
        batch_op.create_index(
            batch_op.f("ix_serial_ranges_destroyed_by_id"), ["destroyed_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_serial_ranges_destroyed_by_id_destructions"),
            "destructions",
            ["destroyed_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("serial_ranges", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_serial_ranges_destroyed_by_id_destructions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_serial_ranges_destroyed_by_id"))
        batch_op.drop_column("destroyed_by_id")
    with op.batch_alter_table("destruction_serials", schema=None) as batch_op:
        batch_op.drop_index("ix_destruction_serials_root_id_first")
        batch_op.drop_index(batch_op.f("ix_destruction_serials_destruction_id"))
    op.drop_table("destruction_serials")
