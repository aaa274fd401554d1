"""daily_usage for area reports: indexed by day; on SQLite, stored in key order (WITHOUT ROWID)

A national stock report adds up the last 30 days of usage of 7,277 districts (~450,000
rows). On PostgreSQL the planner otherwise scans the whole table, which grows by a year
of rows every year; the day index keeps it to the window. On SQLite each row was a
primary-key lookup followed by a rowid lookup; clustered by its key, an office's days
are read in one pass (about twice as fast). Prints upsert rows by their key, so neither
change costs them anything measurable: the index changes only when a new day begins.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 13:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _rebuild_on_sqlite(with_rowid: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Batch mode copies the rows into a new table created with these options.
        with op.batch_alter_table(
            "daily_usage", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
        ):
            pass


def upgrade():
    _rebuild_on_sqlite(with_rowid=False)
    op.create_index(op.f("ix_daily_usage_day"), "daily_usage", ["day"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_daily_usage_day"), table_name="daily_usage")
    _rebuild_on_sqlite(with_rowid=True)
