"""request_notifications: the outbox carries requests for blanks too (issue 13)

notifications.alert_id becomes nullable and request_id (a foreign key to blank_requests) joins
it, exactly one of the two set; the event column widens to the request events
(request_submitted, request_approved, request_rejected, request_fulfilled), which are also
kinds a subscription may choose. On SQLite batch mode rebuilds the outbox table, once.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 21:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ALERT_EVENTS = ("opened", "escalated", "resolved")
REQUEST_EVENTS = ("request_submitted", "request_approved", "request_rejected", "request_fulfilled")


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_event"), type_="check")
        batch_op.alter_column("event", existing_type=sa.String(length=16), type_=sa.String(length=32))
        batch_op.alter_column("alert_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(
            sa.Column("request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_notifications_request_id"), ["request_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_request_id_blank_requests"), "blank_requests", ["request_id"], ["id"]
        )
        batch_op.create_check_constraint(
            op.f("ck_notifications_event"), f"event IN {(*ALERT_EVENTS, *REQUEST_EVENTS)}"
        )
        batch_op.create_check_constraint(
            op.f("ck_notifications_about_one_thing"), "(alert_id IS NULL) <> (request_id IS NULL)"
        )


def downgrade():
    # Notifications about requests cannot be kept without their column: they go first.
    op.execute(
        "DELETE FROM delivery_attempts WHERE notification_id IN "
        "(SELECT id FROM notifications WHERE request_id IS NOT NULL)"
    )
    op.execute("DELETE FROM notifications WHERE request_id IS NOT NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_about_one_thing"), type_="check")
        batch_op.drop_constraint(op.f("ck_notifications_event"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_notifications_request_id_blank_requests"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notifications_request_id"))
        batch_op.drop_column("request_id")
        batch_op.alter_column("alert_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("event", existing_type=sa.String(length=32), type_=sa.String(length=16))
        batch_op.create_check_constraint(op.f("ck_notifications_event"), f"event IN {ALERT_EVENTS}")
