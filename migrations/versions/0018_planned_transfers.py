"""planned_transfers: a transfer may be planned (no stock moves) before warehouse staff dispatch
it; who planned it and when, and no dispatcher until it leaves (issue 15, redistribution)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

OLD_STATUSES = "('in_transit', 'received', 'cancelled')"
NEW_STATUSES = "('planned', 'in_transit', 'received', 'cancelled')"


def upgrade():
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_transfers_planned_by_id_users"), "users", ["planned_by_id"], ["id"]
        )
        batch_op.alter_column("dispatched_by_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("dispatched_at", existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.drop_constraint(op.f("ck_transfers_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transfers_status"), f"status IN {NEW_STATUSES}")
        batch_op.create_check_constraint(
            op.f("ck_transfers_planned_not_dispatched"), "status <> 'planned' OR dispatched_by_id IS NULL"
        )
        batch_op.create_check_constraint(
            op.f("ck_transfers_dispatched_or_planned"),
            "dispatched_by_id IS NOT NULL"
            " OR (planned_by_id IS NOT NULL AND status IN ('planned', 'cancelled'))",
        )


def downgrade():
    # Transfers that never left (planned, or called off before dispatch) moved nothing: no
    # movement or serial range names them, so they go without trace on the books.
    op.execute("DELETE FROM transfers WHERE dispatched_by_id IS NULL")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transfers_dispatched_or_planned"), type_="check")
        batch_op.drop_constraint(op.f("ck_transfers_planned_not_dispatched"), type_="check")
        batch_op.drop_constraint(op.f("ck_transfers_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transfers_status"), f"status IN {OLD_STATUSES}")
        batch_op.alter_column("dispatched_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column("dispatched_by_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_transfers_planned_by_id_users"), type_="foreignkey")
        batch_op.drop_column("planned_at")
        batch_op.drop_column("planned_by_id")
