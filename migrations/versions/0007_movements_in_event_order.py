"""movements indexed by the time they happened: the stock card and the chart in event order

The stock card is read newest first by `occurred_at`, and the balance chart by day, so
both need (office_id, occurred_at, id); the kind filter of the stock card the same with
`kind` (it replaces (office_id, kind, id), which only the recording-order card read). A
partial index holds the movements that carry a time of their own (occurred_at differs
from recorded_at: uploaded prints, deliveries with received_at): the only ones whose
place in time can be far from their place in recording, which the event-order balance
corrects for (inventory/stock/event_order.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TOLD_TIME = "occurred_at <> recorded_at"


def upgrade():
    op.create_index(
        op.f("ix_movements_office_id_occurred_at_id"), "movements", ["office_id", "occurred_at", "id"]
    )
    op.create_index(
        op.f("ix_movements_office_id_kind_occurred_at_id"),
        "movements",
        ["office_id", "kind", "occurred_at", "id"],
    )
    op.drop_index(op.f("ix_movements_office_id_kind_id"), table_name="movements")
    op.create_index(
        op.f("ix_movements_told_time"),
        "movements",
        ["office_id", "occurred_at", "id"],
        sqlite_where=sa.text(TOLD_TIME),
        postgresql_where=sa.text(TOLD_TIME),
    )


def downgrade():
    op.drop_index(op.f("ix_movements_told_time"), table_name="movements")
    op.create_index(op.f("ix_movements_office_id_kind_id"), "movements", ["office_id", "kind", "id"])
    op.drop_index(op.f("ix_movements_office_id_kind_occurred_at_id"), table_name="movements")
    op.drop_index(op.f("ix_movements_office_id_occurred_at_id"), table_name="movements")
