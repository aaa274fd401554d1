"""PostgreSQL's print in one statement: used only by prints.py (stock is written only by this package).

Every print of an office queues for the same rows (its balance, its daily usage, its
rollup) from its first write until it commits, so each round trip in between costs
throughput (bench/). On PostgreSQL the guarded debit, the ledger line, the usage count, the
rollup shift and the ancestors' queued share are therefore one statement, with the same
effect as books.debit and record, prints.count_usage and rollups.shift run one after the
other (SQLite, which has no UPDATE or INSERT inside WITH, runs those). No row that another
office's print writes is touched: the ancestors' share waits in pending_rollups
(stock/settlement.py adds it after the answer).

The sub-statements of a WITH run in no promised order, so the order in which rows are
locked is forced by what each one reads: `recorded` reads `taken` (the balance row is
locked first), `counted` reads `recorded` (through `day`), and `shifted` waits for
`counted` (its count). That is the global order every writer keeps (balances, then usage,
then rollups, each by id), so no two writers deadlock. With no blank left, or with the
office closed or requiring a serial (prints naming one take stock/serial_prints.py),
`taken` is empty, and so is everything after it: nothing is written. So it is when every
blank left has a recorded serial: a print naming none cannot say which of them it took. That
count is read by serials_held_now (migration 0020), afresh when the print has waited for the
balance row: a delivery of serialled blanks committed meanwhile is counted.
PostgreSQL runs every data-modifying WITH to completion, read or not, so `queued` needs
no reader.

The usage day is the printing office's local day (offices/time_zones.py), for the office
and (once settled) every ancestor alike: the caller passes the print's day in each of the three zones,
and `taken` reads the office's zone with the debit, so a changed zone counts at once.
"""

from sqlalchemy import text

PRINT_ONE = text(
    """
    WITH taken AS (
        UPDATE balances SET on_hand = on_hand - 1, updated_at = :recorded_at
        WHERE office_id = :office_id AND on_hand >= 1
          AND EXISTS (SELECT 1 FROM offices WHERE id = :office_id AND active AND NOT serials_required)
          AND on_hand - 1 >= serials_held_now(:office_id)
        RETURNING on_hand, (SELECT time_zone FROM offices WHERE id = :office_id) AS time_zone,
                  (SELECT min_stock FROM offices WHERE id = :office_id) AS min_stock
    ), recorded AS (
        INSERT INTO movements (office_id, kind, quantity, balance_after, outcome, reason,
                               actor_id, occurred_at, recorded_at)
        SELECT :office_id, 'print', -1, on_hand, :outcome, :reason,
               :actor_id, :occurred_at, :recorded_at
        FROM taken
        RETURNING id, balance_after
    ), day AS (
        SELECT CASE taken.time_zone WHEN 'WITA' THEN CAST(:day_wita AS DATE)
                                    WHEN 'WIT' THEN CAST(:day_wit AS DATE)
                                    ELSE CAST(:day_wib AS DATE) END AS day
        FROM taken, recorded
    ), counted AS (
        INSERT INTO daily_usage AS usage (office_id, day, reason, printed, spoiled)
        SELECT :office_id, day.day, :reason, :printed, :spoiled FROM day
        ON CONFLICT (office_id, day, reason) DO UPDATE
        SET printed = usage.printed + excluded.printed, spoiled = usage.spoiled + excluded.spoiled
        RETURNING usage.office_id
    ), shifted AS (
        UPDATE office_rollups SET on_hand = office_rollups.on_hand - 1
        WHERE office_id = :office_id AND (SELECT count(*) FROM counted) > 0
        RETURNING office_id
    ), queued AS (
        INSERT INTO pending_rollups (office_id, on_hand, in_transit_in, day, reason, printed, spoiled)
        SELECT :office_id, -1, 0, day.day, :reason, :printed, :spoiled
        FROM day WHERE (SELECT count(*) FROM shifted) > 0
    ), kept AS (
        -- Custody (stock/custody.py): a spoiled card is kept for destruction. Waits for
        -- `shifted`, so the custody row is locked last, after the balance, usage and rollup
        -- rows, as every writer does.
        UPDATE custody_balances SET awaiting = awaiting + 1
        WHERE office_id = :office_id AND category = 'spoiled_print' AND :outcome = 'spoiled'
          AND (SELECT count(*) FROM shifted) > 0
    ), kept_line AS (
        INSERT INTO custody_movements (office_id, category, kind, quantity, movement_id,
                                       actor_id, occurred_at, recorded_at)
        SELECT :office_id, 'spoiled_print', 'added', 1, recorded.id,
               :actor_id, :occurred_at, :recorded_at
        FROM recorded WHERE :outcome = 'spoiled'
    )
    SELECT recorded.id, recorded.balance_after, taken.min_stock FROM recorded, taken
    """
)
