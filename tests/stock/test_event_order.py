"""The stock card and the chart in the order movements happened, whatever order they were recorded in.

Every balance is checked against a naive recomputation from the whole ledger: all movements
sorted by (occurred_at, id), quantities added up.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from inventory.auth.models import User
from inventory.core.db import db
from inventory.offices.models import Office
from inventory.offices.time_zones import ZONES, local_day
from inventory.stock import rollups
from inventory.stock.models import Balance, Movement
from inventory.web import chart
from tests.helpers import (
    PRINTED,
    adjust,
    deliver,
    dispatch,
    ledger,
    ok,
    print_batch,
    print_card,
    refused,
    reverse,
    stock,
    whole_ledger,
)
from tests.stock.test_query_cost import counting_statements, fill_ledger

DAY = timedelta(days=1)


def everything(api, code: str) -> list[dict]:
    """The office's whole ledger, read straight from the table: what the card must show."""
    with api.app.app_context():
        office_id = db.session.execute(select(Office.id).where(Office.code == code)).scalar_one()
        rows = db.session.execute(
            select(Movement.id, Movement.kind, Movement.quantity, Movement.occurred_at).where(
                Movement.office_id == office_id
            )
        ).all()
        db.session.remove()
    return [row._asdict() | {"occurred_at": _aware(row.occurred_at)} for row in rows]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def naive_balances(rows: list[dict]) -> dict[int, int]:
    """Balance after each movement, the ledger added up in event order."""
    balance, after = 0, {}
    for row in sorted(rows, key=lambda r: (r["occurred_at"], r["id"])):
        balance += row["quantity"]
        after[row["id"]] = balance
    return after


def naive_chart(rows: list[dict], today, time_zone: str, days: int = chart.HISTORY_DAYS):
    """End-of-day balances of days with movements, as balance_points promises, from the whole ledger."""
    first_day = today - timedelta(days=days)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=ZONES[time_zone]).astimezone(UTC)
    ordered = sorted(rows, key=lambda r: (r["occurred_at"], r["id"]))
    before = [r for r in ordered if r["occurred_at"] < start]
    inside = [r for r in ordered if r["occurred_at"] >= start]
    balance = sum(r["quantity"] for r in before)
    by_day = {}
    if before:
        by_day[first_day] = balance
    elif inside:
        by_day[local_day(inside[0]["occurred_at"], time_zone) - DAY] = balance
    for row in inside:
        balance += row["quantity"]
        by_day[local_day(row["occurred_at"], time_zone)] = balance
    return sorted(by_day.items())


def card_agrees_with_the_ledger(api, code: str, limit: int) -> list[dict]:
    card = whole_ledger(api, code, limit=limit)
    rows = everything(api, code)
    expected = naive_balances(rows)
    keys = [(datetime.fromisoformat(m["occurred_at"]), m["id"]) for m in card]
    assert keys == sorted(keys, reverse=True)  # newest first, by when it happened
    assert sorted(m["id"] for m in card) == sorted(expected)  # every movement once: no gap, no repeat
    assert {m["id"]: m["balance"] for m in card} == expected
    assert card[0]["balance"] == stock(api, code)["on_hand"]
    return card


def chart_agrees_with_the_ledger(api, code: str) -> None:
    rows = everything(api, code)
    with api.app.app_context():
        office = db.session.execute(select(Office).where(Office.code == code)).scalar_one()
        today = local_day(datetime.now(UTC), office.time_zone)
        drawn = chart.balance_points(office.id, today, 0, office.time_zone)
        db.session.remove()
    assert drawn == naive_chart(rows, today, office.time_zone)


# --- through the API -------------------------------------------------------------------


def test_prints_uploaded_late_take_their_place_on_the_card_and_in_the_chart(api):
    now = datetime.now(UTC)
    deliver(api, "62.02-JB1", 30, received_at=(now - 20 * DAY).isoformat())
    for _ in range(3):
        print_card(api, "62.02-JB1")  # at the counter, now
    # The unit comes back online: what it printed over the last two weeks, newest first
    late = [
        {"client_id": f"jb-{n}", **PRINTED, "printed_at": (now - n * DAY + timedelta(hours=n)).isoformat()}
        for n in (1, 4, 9, 13)
    ]
    print_batch(api, "62.02-JB1", late)
    adjust(api, "62.02-JB1", counted=20, reason="Stock opname")
    single = print_card(api, "62.02-JB1", {**PRINTED, "printed_at": (now - 6 * DAY).isoformat()})
    ok(reverse(api, single["movement"]["id"]), 201)
    dispatch(api, "62.02-JB1", "62.02", 5)
    deliver(api, "62.02-JB1", 7, received_at=(now - 11 * DAY).isoformat())

    card = card_agrees_with_the_ledger(api, "62.02-JB1", limit=3)
    chart_agrees_with_the_ledger(api, "62.02-JB1")

    # Recorded balances stay as they were written: a stocktake's count is its balance_after.
    counted = next(m for m in card if m["kind"] == "stocktake")
    assert counted["balance_after"] == 20
    # The card's order is not the order of recording
    assert [m["id"] for m in card] != sorted((m["id"] for m in card), reverse=True)
    # One movement alone shows the same balance as on the card
    for item in card[::4]:
        assert ok(api.get(f"/movements/{item['id']}", as_="manager"))["balance"] == item["balance"]


def test_filtered_pages_show_each_row_with_its_balance_in_event_order(api):
    now = datetime.now(UTC)
    deliver(api, "62.02.05", 10, received_at=(now - 15 * DAY).isoformat())
    print_card(api, "62.02.05", as_="baamang_operator")
    late = [{"client_id": f"b-{n}", **PRINTED, "printed_at": (now - n * DAY).isoformat()} for n in (2, 7, 12)]
    print_batch(api, "62.02.05", late, as_="baamang_operator")
    deliver(api, "62.02.05", 4, received_at=(now - 5 * DAY).isoformat())
    expected = naive_balances(everything(api, "62.02.05"))

    prints = whole_ledger(api, "62.02.05", limit=2, kind="print")
    deliveries = ledger(api, "62.02.05", kind="delivery")["items"]
    window = ledger(api, "62.02.05", since=(now - 8 * DAY).isoformat(), until=(now - DAY).isoformat())

    assert [m["kind"] for m in prints] == ["print"] * 4
    assert [m["quantity"] for m in deliveries] == [4, 10]
    assert len(window["items"]) == 3  # the deliveries of 5 days ago, the prints of 2 and 7 days ago
    for item in prints + deliveries + window["items"]:
        assert item["balance"] == expected[item["id"]], item


def test_a_cursor_from_another_office_ends_the_card(api):
    elsewhere = deliver(api, "62.02.05", 3)["movement"]["id"]
    deliver(api, "62.02", 3)

    page = ledger(api, "62.02", before=elsewhere)

    assert page["items"] == [] and page["next_before"] is None


@pytest.mark.parametrize(
    ("delta", "error"),
    [
        (timedelta(hours=1), "received_at_future"),
        (-timedelta(days=32), "received_at_too_old"),
        (-timedelta(days=3650), "received_at_too_old"),
    ],
)
def test_a_delivery_dated_outside_the_backdate_limit_is_refused_and_writes_nothing(api, delta, error):
    body = {"quantity": 5, "received_at": (datetime.now(UTC) + delta).isoformat()}

    refused(api.post("/offices/62.02/deliveries", body, as_="warehouse"), 422, error)

    assert stock(api, "62.02")["on_hand"] == 0 and ledger(api, "62.02")["items"] == []


# --- any order the bounds allow ---------------------------------------------------------


def recorded_in_any_order(app, code: str, count: int, seed: int) -> None:
    """Write a ledger straight into the table, as the verbs would have recorded it: ids in the
    order of recording, balance_after summed in that order, and times anywhere the bounds
    allow: backdated up to PRINT_BACKDATE_DAYS, up to PRINT_CLOCK_SKEW_MINUTES ahead, and
    recorded_at up to LEDGER_RECORDING_MARGIN_SECONDS behind a movement recorded before it.
    Half the movements happen when recorded, and many within minutes of each other."""
    rng = random.Random(seed)
    config = app.config
    backdate = config["PRINT_BACKDATE_DAYS"] * 86_400 - 1
    ahead = config["PRINT_CLOCK_SKEW_MINUTES"] * 60
    margin = config["LEDGER_RECORDING_MARGIN_SECONDS"]
    steps = [rng.uniform(0, 600) if rng.random() < 0.8 else rng.uniform(0, 2 * 86_400) for _ in range(count)]
    scale = 60 * 86_400 / sum(steps)
    clock = datetime.now(UTC) - 62 * DAY
    with app.app_context():
        office_id, path = db.session.execute(select(Office.id, Office.path).where(Office.code == code)).one()
        actor_id = db.session.execute(select(User.id).where(User.name == "warehouse")).scalar_one()
        balance, rows = 0, []
        for n, step in enumerate(steps):
            clock += timedelta(seconds=step * scale)
            recorded = clock - timedelta(seconds=rng.uniform(0, margin))
            told = rng.random()
            if told < 0.4:
                occurred = recorded - timedelta(seconds=rng.uniform(0, backdate))
            elif told < 0.5:
                occurred = recorded + timedelta(seconds=rng.uniform(0, ahead))
            else:
                occurred = recorded
            quantity = 200 if n == 0 else rng.choice([-1, -1, -1, -2, 3, 1])
            balance += quantity
            rows.append({"office_id": office_id, "kind": "correction", "quantity": quantity,
                         "balance_after": balance, "actor_id": actor_id, "reason": "load",
                         "occurred_at": occurred, "recorded_at": recorded})  # fmt: skip
        for row in rows:  # one by one: ids in the order of recording
            db.session.execute(insert(Movement).values(**row))
        db.session.execute(update(Balance).where(Balance.office_id == office_id).values(on_hand=balance))
        rollups.shift({path: (balance, 0)})
        db.session.commit()


@pytest.mark.parametrize("seed", [1, 2])
def test_a_ledger_recorded_in_any_order_the_bounds_allow_reads_in_event_order(api, seed):
    recorded_in_any_order(api.app, "62.02.06", 300, seed)

    card_agrees_with_the_ledger(api, "62.02.06", limit=7)
    chart_agrees_with_the_ledger(api, "62.02.06")


# --- cost -------------------------------------------------------------------------------


def statements_for(api, path: str) -> list[str]:
    with counting_statements(api.app) as statements:
        page = ok(api.get(path, as_="manager"))
    assert page["items"]
    return statements


def deep_cursor(api, code: str) -> int:
    """The id of the 5,000th row: page 100 of 50."""
    return ledger(api, code, limit=500, before=ledger(api, code, limit=500)["next_before"])["items"][-1]["id"]


# The token lookup, the office, the page (its rows and each row's balance in one query) and
# how many of the office's blanks are serial-tracked (one indexed sum over its ranges); on
# PostgreSQL first the page's plan settings (no JIT, no parallel workers: ledger._plain_plans).
CARD_PAGE_STATEMENTS = {"sqlite": 4, "postgresql": 5}


def test_a_card_page_costs_the_same_statements_with_a_short_or_a_long_ledger(api, backend):
    fill_ledger(api.app, "62.02.05", 11)
    fill_ledger(api.app, "62.02.06", 10_001)
    deep = deep_cursor(api, "62.02.06")
    ok(api.get("/offices/62.02.05/ledger", as_="manager"))  # first requests: caches warm
    ok(api.get("/offices/62.02.06/ledger", as_="manager"))

    short = statements_for(api, "/offices/62.02.05/ledger?limit=50")
    first = statements_for(api, "/offices/62.02.06/ledger?limit=50")
    deep_page = statements_for(api, f"/offices/62.02.06/ledger?limit=50&before={deep}")

    assert len(short) == len(first) == len(deep_page) == CARD_PAGE_STATEMENTS[backend], deep_page


@pytest.mark.parametrize(
    "path",
    [
        "/offices/62.02.06/stock",
        "/offices/62.02.06/projection",
        "/offices/62.02/redistribution",
        "/reports/stock?under=62.02",
        "/reports/consumption?under=62.02",
    ],
)
def test_reads_other_than_the_card_never_touch_the_ledger(api, path):
    """Stock, projection and reports read balances, rollups and daily usage: a few rows per
    office and day, never the office's movements, so their cost cannot grow with the ledger."""
    fill_ledger(api.app, "62.02.06", 101)

    with counting_statements(api.app) as statements:
        ok(api.get(path, as_="manager"))

    assert statements and not [s for s in statements if "movements" in s.lower()]


def _sqlite_plan(statement, params) -> str:
    compiled = statement.compile(dialect=db.engine.dialect)
    values = compiled.construct_params(params)
    raw = db.session.connection().connection.driver_connection
    rows = raw.execute("EXPLAIN QUERY PLAN " + str(compiled), [values[k] for k in compiled.positiontup])
    return "\n".join(row[-1] for row in rows)


@pytest.mark.parametrize("first", ["ix_movements_told_time", "ix_movements_office_id_occurred_at_id"])
def test_sqlite_reads_the_far_window_from_the_partial_index_whatever_the_schema_order(api, first):
    """Without statistics SQLite broke the tie between the two indexes on (office_id,
    occurred_at, id) by their order in the schema, which batch migrations reshuffle; with the
    full one, a page read every movement of the last PRINT_BACKDATE_DAYS (event_order.py)."""
    with api.app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's planner only")
        from inventory.stock import ledger as card
        from inventory.stock.event_order import Bounds

        indexes = {index.name: index for index in Movement.__table__.indexes}
        connection = db.session.connection()
        for name in (first, *(set(indexes) - {first})):  # recreated in this order
            if name in {"ix_movements_told_time", "ix_movements_office_id_occurred_at_id"}:
                indexes[name].drop(connection)
                indexes[name].create(connection)
        params = {"office": 1, "seen": 10, "limit": 50, **Bounds.configured().parameters("sqlite")}
        for shape in (card.CardShape(False, False, False, True), card.CardShape(False, False, False, False)):
            plan = _sqlite_plan(card._card_statement("sqlite", shape), params)
            assert "USING INDEX ix_movements_told_time" in plan, plan
        db.session.rollback()
