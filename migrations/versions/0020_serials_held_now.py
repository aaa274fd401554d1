"""serials_held_now: how many blanks with recorded serials an office holds, read afresh (PostgreSQL)

A print naming no serial may take only a blank without one (stock/print_sql.py). Its one
statement reads that count; when it waits on the office's balance row for a delivery of
serialled blanks to commit, a count read by a subquery comes from before the delivery (the
statement's snapshot), and the print could take one of the new serialled blanks. A VOLATILE
function reads with a fresh snapshot each time it runs, and PostgreSQL runs the UPDATE's
conditions again on the row it waited for, so the count is the one committed by then.
PL/pgSQL, so the planner never inlines it into the calling statement. SQLite has one writer
at a time and needs none of this.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 11:10:00

"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # As inventory/stock/models.py creates it (fixed text: the model may change, this may not).
    op.execute(
        "CREATE FUNCTION serials_held_now(held_by bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
        "RETURN (SELECT COALESCE(sum(last - first + 1), 0) FROM serial_ranges WHERE office_id = held_by); END $$"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION serials_held_now(bigint)")
