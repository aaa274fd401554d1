"""blank_requests: requests for blanks, decided up the office tree, filled by transfers and deliveries

A request (blank_requests) with its running shipped and received quantities, the offices that
decide it in order (blank_request_steps) and its history (blank_request_history); transfers
and deliveries (movements) name the request they fill in request_id; offices.on_order and
on_order_due hold what requests approved for the office and not yet delivered. On SQLite the
foreign keys rebuild transfers and movements (batch mode): a copy of the ledger, once.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 16:22:11.439517

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


ALERT_KINDS = ("low_stock", "stockout", "projected_shortfall", "reorder_now", "stockout_before_target")


def _alert_kinds(kinds):
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_alerts_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_alerts_kind"), f"kind IN {kinds}")


def upgrade():
    _alert_kinds((*ALERT_KINDS, "request_overdue"))
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_order", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("on_order_due", sa.Date(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_offices_on_order_non_negative"), "on_order >= 0")
    op.create_table('blank_requests',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('suggested_quantity', sa.Integer(), nullable=True),
    sa.Column('approved_quantity', sa.Integer(), nullable=True),
    sa.Column('shipped', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('needed_by', sa.Date(), nullable=True),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected', 'partially_fulfilled', 'fulfilled', 'closed', 'cancelled')", name=op.f('ck_blank_requests_status')),
    sa.CheckConstraint('approved_quantity >= 0', name=op.f('ck_blank_requests_approved_quantity_non_negative')),
    sa.CheckConstraint('office_id <> supplier_id', name=op.f('ck_blank_requests_distinct_offices')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_blank_requests_quantity_positive')),
    sa.CheckConstraint('shipped >= 0 AND received >= 0', name=op.f('ck_blank_requests_fulfilment_non_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_blank_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_blank_requests_office_id_offices')),
    sa.ForeignKeyConstraint(['supplier_id'], ['offices.id'], name=op.f('fk_blank_requests_supplier_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blank_requests'))
    )
    with op.batch_alter_table('blank_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blank_requests_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_blank_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_blank_requests_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('blank_request_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('create', 'submit', 'approve', 'reject', 'cancel', 'close', 'ship', 'receive', 'deliver', 'call_back')", name=op.f('ck_blank_request_history_action')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected', 'partially_fulfilled', 'fulfilled', 'closed', 'cancelled')", name=op.f('ck_blank_request_history_status')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_blank_request_history_actor_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_blank_request_history_office_id_offices')),
    sa.ForeignKeyConstraint(['request_id'], ['blank_requests.id'], name=op.f('fk_blank_request_history_request_id_blank_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blank_request_history'))
    )
    with op.batch_alter_table('blank_request_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blank_request_history_request_id'), ['request_id'], unique=False)

    op.create_table('blank_request_steps',
    sa.Column('request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_blank_request_steps_office_id_offices')),
    sa.ForeignKeyConstraint(['request_id'], ['blank_requests.id'], name=op.f('fk_blank_request_steps_request_id_blank_requests')),
    sa.PrimaryKeyConstraint('request_id', 'position', name=op.f('pk_blank_request_steps'))
    )
    with op.batch_alter_table('blank_request_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blank_request_steps_office_id'), ['office_id'], unique=False)

    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_movements_request_id_blank_requests'), 'blank_requests', ['request_id'], ['id'])

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_index(batch_op.f('ix_transfers_request_id'), ['request_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_transfers_request_id_blank_requests'), 'blank_requests', ['request_id'], ['id'])



def downgrade():
    overdue = "SELECT id FROM alerts WHERE kind = 'request_overdue'"
    notified = f"SELECT id FROM notifications WHERE alert_id IN ({overdue})"
    op.execute(f"DELETE FROM delivery_attempts WHERE notification_id IN ({notified})")
    op.execute(f"DELETE FROM notifications WHERE alert_id IN ({overdue})")
    op.execute(f"DELETE FROM alerts WHERE id IN ({overdue})")
    _alert_kinds(ALERT_KINDS)
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_transfers_request_id_blank_requests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_transfers_request_id'))
        batch_op.drop_column('request_id')

    with op.batch_alter_table('movements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_movements_request_id_blank_requests'), type_='foreignkey')
        batch_op.drop_column('request_id')

    with op.batch_alter_table('blank_request_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blank_request_steps_office_id'))

    op.drop_table('blank_request_steps')
    with op.batch_alter_table('blank_request_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blank_request_history_request_id'))

    op.drop_table('blank_request_history')
    with op.batch_alter_table('blank_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blank_requests_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_blank_requests_status'))
        batch_op.drop_index(batch_op.f('ix_blank_requests_office_id'))

    op.drop_table('blank_requests')
