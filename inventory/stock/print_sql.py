"""PostgreSQL's print in one statement: used only by prints.py (stock is written only by this package).

Every print of an office queues for the same rows (its balance, its daily usage, its and
its ancestors' rollups) from its first write until it commits, so each round trip in
between costs throughput (bench/). On PostgreSQL the guarded debit, the ledger line, the
usage counts and the rollup shift are therefore one statement, with the same effect as
books.debit and record, prints.count_usage and rollups.shift run one after the other (SQLite,
which has no UPDATE or INSERT inside WITH, runs those).

The sub-statements of a WITH run in no promised order, so the order in which rows are
locked is forced by what each one reads: `recorded` reads `taken` (the balance row is
locked first), `counted` reads `recorded`, and `locked` waits for all of `counted` (its
count), then locks the rollup rows in id order. That is the global order every writer
keeps (balances, then usage, then rollups, each by id), so no two writers deadlock. With
no blank left, or with the office closed, `taken` is empty, and so is everything after
it: nothing is written. PostgreSQL runs every data-modifying WITH to completion, read or
not, so `shifted` needs no reader.

The usage day is the printing office's local day (offices/time_zones.py), for the office
and every ancestor alike: the caller passes the print's day in each of the three zones,
and `taken` reads the office's zone with the debit, so a changed zone counts at once.
"""

from sqlalchemy import text

PRINT_ONE = text(
    """
    WITH taken AS (
        UPDATE balances SET on_hand = on_hand - 1, updated_at = :recorded_at
        WHERE office_id = :office_id AND on_hand >= 1
          AND EXISTS (SELECT 1 FROM offices WHERE id = :office_id AND active)
        RETURNING on_hand, (SELECT time_zone FROM offices WHERE id = :office_id) AS time_zone
    ), recorded AS (
        INSERT INTO movements (office_id, kind, quantity, balance_after, outcome, reason,
                               actor_id, occurred_at, recorded_at)
        SELECT :office_id, 'print', -1, on_hand, :outcome, :reason,
               :actor_id, :occurred_at, :recorded_at
        FROM taken
        RETURNING id, balance_after
    ), counted AS (
        INSERT INTO daily_usage AS usage (office_id, day, reason, printed, spoiled)
        SELECT ancestor.id,
               CASE taken.time_zone WHEN 'WITA' THEN CAST(:day_wita AS DATE)
                                    WHEN 'WIT' THEN CAST(:day_wit AS DATE) ELSE CAST(:day_wib AS DATE) END,
               :reason, :printed, :spoiled
        FROM taken, recorded, unnest(CAST(:ancestors AS INTEGER[])) AS ancestor (id)
        ORDER BY ancestor.id
        ON CONFLICT (office_id, day, reason) DO UPDATE
        SET printed = usage.printed + excluded.printed, spoiled = usage.spoiled + excluded.spoiled
        RETURNING usage.office_id
    ), locked AS MATERIALIZED (
        SELECT office_id FROM office_rollups
        WHERE office_id = ANY (CAST(:ancestors AS INTEGER[])) AND (SELECT count(*) FROM counted) > 0
        ORDER BY office_id
        FOR UPDATE
    ), shifted AS (
        UPDATE office_rollups SET on_hand = office_rollups.on_hand - 1
        FROM locked WHERE office_rollups.office_id = locked.office_id
    ), kept AS (
        -- Custody (stock/custody.py): a spoiled card is kept for destruction. Reads `locked`,
        -- so the custody row is locked last, after the balance and rollup rows, as every writer does.
        UPDATE custody_balances SET awaiting = awaiting + 1
        WHERE office_id = :office_id AND category = 'spoiled_print' AND :outcome = 'spoiled'
          AND EXISTS (SELECT 1 FROM recorded) AND (SELECT count(*) FROM locked) > 0
    ), kept_line AS (
        INSERT INTO custody_movements (office_id, category, kind, quantity, movement_id,
                                       actor_id, occurred_at, recorded_at)
        SELECT :office_id, 'spoiled_print', 'added', 1, recorded.id,
               :actor_id, :occurred_at, :recorded_at
        FROM recorded WHERE :outcome = 'spoiled'
    )
    SELECT id, balance_after FROM recorded
    """
)
