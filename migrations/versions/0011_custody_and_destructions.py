"""custody_and_destructions: cards awaiting destruction beside usable stock, custody transfers,
berita acara pemusnahan, and the office settings they need (issue 12 §2)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CATEGORIES = "('spoiled_print', 'returned_card', 'defective_blank')"
OLD_ALERT_KINDS = (
    "('low_stock', 'stockout', 'projected_shortfall', 'reorder_now', 'stockout_before_target', "
    "'request_overdue')"
)
NEW_ALERT_KINDS = (
    "('low_stock', 'stockout', 'projected_shortfall', 'reorder_now', 'stockout_before_target', "
    "'request_overdue', 'destruction_overdue')"
)


def upgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("head_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("head_nip", sa.String(length=18), nullable=True))
        batch_op.add_column(
            sa.Column("destruction_interval_days", sa.Integer(), server_default="30", nullable=False)
        )
        batch_op.add_column(
            sa.Column("destruction_max_pending", sa.Integer(), server_default="500", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_offices_destruction_settings_positive"),
            "destruction_interval_days > 0 AND destruction_max_pending > 0",
        )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("custody", sa.String(length=8), server_default="stock", nullable=False))
        batch_op.add_column(sa.Column("category", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(op.f("ck_transfers_custody"), "custody IN ('stock', 'spoiled')")
        batch_op.create_check_constraint(
            op.f("ck_transfers_custody_category"),
            f"(custody = 'stock' AND category IS NULL) OR (custody = 'spoiled' AND category IN {CATEGORIES})",
        )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_alerts_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_alerts_kind"), f"kind IN {NEW_ALERT_KINDS}")

    op.create_table(
        "custody_balances",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("awaiting", sa.BigInteger(), nullable=False),
        sa.Column("in_transit_in", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("awaiting >= 0", name=op.f("ck_custody_balances_awaiting_non_negative")),
        sa.CheckConstraint(f"category IN {CATEGORIES}", name=op.f("ck_custody_balances_category")),
        sa.CheckConstraint("in_transit_in >= 0", name=op.f("ck_custody_balances_in_transit_in_non_negative")),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_custody_balances_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("office_id", "category", name=op.f("pk_custody_balances")),
    )
    # Every office holds a row per category from the start: balances change only by UPDATE.
    op.execute(
        "INSERT INTO custody_balances (office_id, category, awaiting, in_transit_in) "
        "SELECT offices.id, categories.category, 0, 0 FROM offices CROSS JOIN ("
        "SELECT 'spoiled_print' AS category UNION ALL SELECT 'returned_card' UNION ALL "
        "SELECT 'defective_blank') AS categories"
    )
    op.create_table(
        "destructions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("document_no", sa.String(length=100), nullable=False),
        sa.Column("destroyed_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("witnesses", sa.JSON(), nullable=False),
        sa.Column("spoiled_print", sa.Integer(), nullable=False),
        sa.Column("returned_card", sa.Integer(), nullable=False),
        sa.Column("defective_blank", sa.Integer(), nullable=False),
        sa.Column("serials", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reversal_of", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scan", sa.LargeBinary(), nullable=True),
        sa.Column("scan_sha256", sa.String(length=64), nullable=True),
        sa.Column("scan_content_type", sa.String(length=32), nullable=True),
        sa.Column("scan_size", sa.Integer(), nullable=True),
        sa.Column("scan_uploaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "spoiled_print >= 0 AND returned_card >= 0 AND defective_blank >= 0"
            " AND spoiled_print + returned_card + defective_blank > 0",
            name=op.f("ck_destructions_counts"),
        ),
        sa.CheckConstraint("method IN ('burned', 'shredded', 'cut')", name=op.f("ck_destructions_method")),
        sa.CheckConstraint("status IN ('draft', 'signed', 'reported')", name=op.f("ck_destructions_status")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_destructions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_destructions_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_destructions_reported_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reversal_of"], ["destructions.id"], name=op.f("fk_destructions_reversal_of_destructions")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_destructions_signed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destructions")),
        sa.UniqueConstraint("reversal_of", name=op.f("uq_destructions_reversal_of")),
    )
    op.create_index(op.f("ix_destructions_office_id"), "destructions", ["office_id"], unique=False)
    op.create_table(
        "custody_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("movement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("transfer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("destruction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(f"category IN {CATEGORIES}", name=op.f("ck_custody_movements_category")),
        sa.CheckConstraint(
            "kind IN ('added', 'transfer_out', 'transfer_in', 'transfer_return', 'destroyed', 'reversal')",
            name=op.f("ck_custody_movements_kind"),
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_custody_movements_quantity_non_zero")),
        sa.CheckConstraint(
            "reason IS NULL OR reason IN ('replacement', 'data_change', 'damaged', 'invalid')",
            name=op.f("ck_custody_movements_reason"),
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_custody_movements_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["destruction_id"],
            ["destructions.id"],
            name=op.f("fk_custody_movements_destruction_id_destructions"),
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"], ["movements.id"], name=op.f("fk_custody_movements_movement_id_movements")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_custody_movements_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_custody_movements_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_movements")),
    )
    with op.batch_alter_table("custody_movements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_movements_destruction_id"), ["destruction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_custody_movements_movement_id"), ["movement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_custody_movements_transfer_id"), ["transfer_id"], unique=False)
        batch_op.create_index(
            "ix_custody_movements_office_id_occurred_at_id", ["office_id", "occurred_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("custody_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_custody_movements_office_id_occurred_at_id")
        batch_op.drop_index(batch_op.f("ix_custody_movements_transfer_id"))
        batch_op.drop_index(batch_op.f("ix_custody_movements_movement_id"))
        batch_op.drop_index(batch_op.f("ix_custody_movements_destruction_id"))
    op.drop_table("custody_movements")
    op.drop_index(op.f("ix_destructions_office_id"), table_name="destructions")
    op.drop_table("destructions")
    op.drop_table("custody_balances")
    overdue = "SELECT id FROM alerts WHERE kind = 'destruction_overdue'"
    notified = f"SELECT id FROM notifications WHERE alert_id IN ({overdue})"
    op.execute(f"DELETE FROM delivery_attempts WHERE notification_id IN ({notified})")
    op.execute(f"DELETE FROM notifications WHERE alert_id IN ({overdue})")
    op.execute(f"DELETE FROM alerts WHERE id IN ({overdue})")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_alerts_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_alerts_kind"), f"kind IN {OLD_ALERT_KINDS}")
    op.execute(
        "DELETE FROM movements WHERE transfer_id IN (SELECT id FROM transfers WHERE custody <> 'stock')"
    )
    op.execute("DELETE FROM transfers WHERE custody <> 'stock'")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transfers_custody_category"), type_="check")
        batch_op.drop_constraint(op.f("ck_transfers_custody"), type_="check")
        batch_op.drop_column("category")
        batch_op.drop_column("custody")
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_offices_destruction_settings_positive"), type_="check")
        batch_op.drop_column("destruction_max_pending")
        batch_op.drop_column("destruction_interval_days")
        batch_op.drop_column("head_nip")
        batch_op.drop_column("head_name")
        batch_op.drop_column("address")
