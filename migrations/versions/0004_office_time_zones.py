"""offices.time_zone; daily usage counted in the office's local days

Every office gets the zone of its province (WIB, WITA or WIT; offices whose code names
no province take their parent's, the national office WIB). Until now a usage day was a
UTC day, so a print at 06:30 WIB counted on the day before; the existing daily_usage
rows are therefore rebuilt from the ledger, each print on its office's local day (the
same rows, moved: totals do not change, and ancestors count a print on the day of the
office that made it). The rebuild reads every print once, as migration 0002's backfill
did. Downgrade rebuilds the UTC days.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen here, as the code had it when this ran (inventory/offices/time_zones.py).
_PROVINCES = (
    (range(11, 37), "WIB"), (range(61, 63), "WIB"),
    (range(51, 54), "WITA"), (range(63, 66), "WITA"), (range(71, 77), "WITA"),
    (range(81, 83), "WIT"), (range(91, 97), "WIT"),
)  # fmt: skip
_IANA = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
_HOURS = {"WIB": 7, "WITA": 8, "WIT": 9}  # none of the three has daylight saving


def _zone_for_code(code):
    prefix = code[:2]
    if len(code) >= 2 and prefix.isdigit() and (len(code) == 2 or not code[2].isdigit()):
        for provinces, zone in _PROVINCES:
            if int(prefix) in provinces:
                return zone
    return None


def upgrade():
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=4), nullable=True))
    bind = op.get_bind()
    zones = {}
    # Parents before children (a shorter path), so a child can take its parent's zone.
    for office_id, code, parent_id in bind.execute(
        sa.text("SELECT id, code, parent_id FROM offices ORDER BY length(path), id")
    ):
        zones[office_id] = _zone_for_code(code) or zones.get(parent_id, "WIB")
    if zones:
        bind.execute(
            sa.text("UPDATE offices SET time_zone = :zone WHERE id = :id"),
            [{"id": office_id, "zone": zone} for office_id, zone in zones.items()],
        )
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.alter_column("time_zone", existing_type=sa.String(length=4), nullable=False)
        batch_op.create_check_constraint(op.f("ck_offices_time_zone"), "time_zone IN ('WIB', 'WITA', 'WIT')")
    _rebuild_daily_usage(local=True)


def downgrade():
    _rebuild_daily_usage(local=False)
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_offices_time_zone"), type_="check")
        batch_op.drop_column("time_zone")


def _rebuild_daily_usage(local: bool):
    """Every print that was not reversed, counted for its office and each ancestor on one day."""
    if op.get_bind().dialect.name == "sqlite":  # occurred_at is stored as naive UTC text
        shift = " ".join(f"WHEN '{zone}' THEN '+{hours} hours'" for zone, hours in _HOURS.items())
        day = f"date(m.occurred_at, CASE d.time_zone {shift} END)" if local else "date(m.occurred_at)"
    else:
        names = " ".join(f"WHEN '{zone}' THEN '{name}'" for zone, name in _IANA.items())
        day = (
            f"CAST(m.occurred_at AT TIME ZONE CASE d.time_zone {names} END AS DATE)"
            if local
            else "CAST(m.occurred_at AT TIME ZONE 'UTC' AS DATE)"
        )
    op.execute("DELETE FROM daily_usage")
    op.execute(
        f"""
        INSERT INTO daily_usage (office_id, day, reason, printed, spoiled)
        SELECT o.id, {day}, m.reason,
               SUM(CASE WHEN m.outcome = 'printed' THEN 1 ELSE 0 END),
               SUM(CASE WHEN m.outcome = 'spoiled' THEN 1 ELSE 0 END)
        FROM movements m
        JOIN offices d ON d.id = m.office_id
        JOIN offices o ON d.path LIKE o.path || '%'
        LEFT JOIN movements r ON r.reverses_id = m.id
        WHERE m.kind = 'print' AND r.id IS NULL
        GROUP BY o.id, {day}, m.reason
        """
    )
