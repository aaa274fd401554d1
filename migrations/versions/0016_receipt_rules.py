"""receipt_rules: the loss_in_transit alert, and offices.allow_self_receipt (issue 14, warehouse
receipts: a shortfall is the source's loss; who dispatched does not receive, unless allowed)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 21:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OLD_ALERT_KINDS = (
    "('low_stock', 'stockout', 'projected_shortfall', 'reorder_now', 'stockout_before_target', "
    "'request_overdue', 'destruction_overdue')"
)
NEW_ALERT_KINDS = (
    "('low_stock', 'stockout', 'projected_shortfall', 'reorder_now', 'stockout_before_target', "
    "'request_overdue', 'destruction_overdue', 'loss_in_transit')"
)


def upgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allow_self_receipt", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_alerts_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_alerts_kind"), f"kind IN {NEW_ALERT_KINDS}")


def downgrade():
    # The alerts of the new kind, and their notifications, go with the kind (as 0011's do).
    lost = "SELECT id FROM alerts WHERE kind = 'loss_in_transit'"
    notified = f"SELECT id FROM notifications WHERE alert_id IN ({lost})"
    op.execute(f"DELETE FROM delivery_attempts WHERE notification_id IN ({notified})")
    op.execute(f"DELETE FROM notifications WHERE alert_id IN ({lost})")
    op.execute(f"DELETE FROM alerts WHERE id IN ({lost})")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_alerts_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_alerts_kind"), f"kind IN {OLD_ALERT_KINDS}")
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_column("allow_self_receipt")
