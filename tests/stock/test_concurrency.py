"""Concurrent requests, on real connections: no blank lost, none double-counted, none below zero."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from inventory.core.db import db
from inventory.stock.verify import problems

PRINT = {"outcome": "printed", "reason": "new_record"}


def run_together(count: int, work) -> list:
    """Run work(i) in `count` threads released at the same instant."""
    barrier = threading.Barrier(count)

    def start(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def ledger_sum(api, code: str) -> int:
    total, before = 0, None
    while True:
        query = f"?limit=500&before={before}" if before else "?limit=500"
        page = api.get(f"/offices/{code}/ledger{query}", as_="admin").json
        total += sum(item["quantity"] for item in page["items"])
        if page["next_before"] is None:
            return total
        before = page["next_before"]


def books_problems(api) -> list[str]:
    with api.app.app_context():
        try:
            return problems()
        finally:
            db.session.remove()


def test_fifty_prints_race_for_twenty_blanks(api):
    api.post("/offices/62.02/deliveries", {"quantity": 20}, as_="warehouse")

    responses = run_together(50, lambda _: api.post("/offices/62.02/prints", PRINT, as_="operator"))

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 20, 409: 30}
    assert all(r.json["error"] == "insufficient_stock" for r in responses if r.status_code == 409)
    assert api.on_hand("62.02") == 0
    assert ledger_sum(api, "62.02") == 0
    balances_after = sorted(r.json["on_hand"] for r in responses if r.status_code == 201)
    assert balances_after == list(range(20))  # each blank counted once, in recording order
    assert books_problems(api) == []


def test_transfers_both_ways_at_once_lose_nothing_and_do_not_deadlock(api):
    api.post("/offices/62.02/deliveries", {"quantity": 100}, as_="warehouse")
    api.post("/offices/62.02.05/deliveries", {"quantity": 100}, as_="warehouse")

    def move(i):
        source, destination = ("62.02", "62.02.05") if i % 2 else ("62.02.05", "62.02")
        dispatched = api.post(
            "/transfers", {"from": source, "to": destination, "quantity": 3}, as_="warehouse"
        )
        if dispatched.status_code != 201:
            return dispatched.status_code
        action = "cancel" if i % 5 == 0 else "receive"
        # Received by someone else than who sent it (segregation of duties, stock/receipts.py).
        closer = "warehouse" if action == "cancel" else "admin"
        return api.post(f"/transfers/{dispatched.json['id']}/{action}", as_=closer).status_code

    results = run_together(30, move)

    assert results == [200] * 30
    regency, district = api.on_hand("62.02"), api.on_hand("62.02.05")
    assert regency + district == 200
    # 15 transfers each way of 3, of which i % 5 == 0 were cancelled: 3 one way, 3 the other.
    assert regency == district == 100
    for code in ("62.02", "62.02.05"):
        stock = api.get(f"/offices/{code}/stock", as_="admin").json
        assert stock["in_transit_in"] == stock["in_transit_out"] == 0
        assert ledger_sum(api, code) == stock["on_hand"]
    assert books_problems(api) == []


def test_a_retried_delivery_racing_itself_is_recorded_once(api):
    headers = {"Idempotency-Key": "delivery-BAST-118"}

    responses = run_together(
        10,
        lambda _: api.post("/offices/62.02/deliveries", {"quantity": 500}, as_="warehouse", headers=headers),
    )

    assert {r.status_code for r in responses} == {201}
    assert {r.json["movement"]["id"] for r in responses} == {responses[0].json["movement"]["id"]}
    assert api.on_hand("62.02") == 500


def test_the_same_offline_batch_sent_twice_at_once_is_recorded_once(api):
    api.post("/offices/62.02/deliveries", {"quantity": 30}, as_="warehouse")
    batch = {"prints": [{"client_id": f"jb1-{n}", **PRINT} for n in range(25)]}

    responses = run_together(4, lambda _: api.post("/offices/62.02/prints/batch", batch, as_="operator"))

    assert all(response.status_code == 200 for response in responses)
    assert sum(response.json["recorded"] for response in responses) == 25
    assert sum(response.json["already_recorded"] for response in responses) == 75
    assert api.on_hand("62.02") == 5
    assert books_problems(api) == []


def test_prints_batches_and_transfers_across_one_subtree_at_once_do_not_deadlock(api):
    """Every writer locks in one order (balances, daily usage, rollups, each by id), whatever
    the path it takes: single prints (one statement on PostgreSQL), offline batches and
    transfers all lock the rollups shared by the two districts and their regency."""
    for code in ("62.02", "62.02.05", "62.02.06"):
        api.post(f"/offices/{code}/deliveries", {"quantity": 200}, as_="warehouse")

    def work(i):
        district = ("62.02.05", "62.02.06")[i % 2]
        if i % 4 == 0:
            batch = {"prints": [{"client_id": f"b{i}-{n}", **PRINT} for n in range(5)]}
            return api.post(f"/offices/{district}/prints/batch", batch, as_="operator").status_code
        if i % 4 == 1:
            moved = api.post("/transfers", {"from": "62.02", "to": district, "quantity": 2}, as_="warehouse")
            return api.post(f"/transfers/{moved.json['id']}/receive", as_="admin").status_code
        return api.post(f"/offices/{district}/prints", PRINT, as_="operator").status_code

    results = run_together(40, work)

    assert Counter(results) == {200: 20, 201: 20}
    assert api.get("/offices/62.02/stock", as_="admin").json["subtree_on_hand"] == 600 - 10 * 5 - 20
    assert books_problems(api) == []


def test_a_sqlite_writer_holds_the_write_lock_only_while_it_writes(api, backend):
    """Authentication and validation read before the lock: a writer queued behind another
    one does not keep a bad token or a bad body from being answered at once."""
    if backend != "sqlite":
        pytest.skip("about SQLite's single write lock")
    database = make_url(api.app.config["SQLALCHEMY_DATABASE_URI"]).database
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        bad_token = api.post("/offices/62.02.05/prints", PRINT, as_="not-a-token")
        bad_body = api.post("/offices/62.02.05/prints", {"outcome": "smudged"}, as_="operator")
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()

    assert (bad_token.status_code, bad_body.status_code) == (401, 422)
    assert waited < 5  # the busy timeout (30 s) was never waited out
    assert api.post("/offices/62.02/deliveries", {"quantity": 1}, as_="warehouse").status_code == 201


def test_a_print_is_committed_before_its_answer_is_serialised(api, monkeypatch):
    """The office's rows are released before the answer is built; with an Idempotency-Key
    the answer is kept in the same transaction, so there it is built first."""
    from inventory.stock.schemas import MovementResultSchema

    api.post("/offices/62.02/deliveries", {"quantity": 5}, as_="warehouse")
    with api.app.app_context():
        engine = db.engine
    commits, commits_seen_by_dump = [], []

    def count_commit(_connection):
        commits.append(1)

    dump = MovementResultSchema.dump

    def spy(self, *args, **kwargs):
        commits_seen_by_dump.append(len(commits))
        return dump(self, *args, **kwargs)

    monkeypatch.setattr(MovementResultSchema, "dump", spy)
    event.listen(engine, "commit", count_commit)
    try:
        # The plain print had committed when its answer was built; the keyed one not yet. Then,
        # after the answer, the settler: its look for work (a look ends with a commit:
        # core/db.end_reads) and the batch with the regency's ancestors' share; not a second
        # look, as the batch was not full (settlement._settle).
        for headers, committed_before_dump in (({}, 1), ({"Idempotency-Key": "p-1"}, 0)):
            commits.clear()
            commits_seen_by_dump.clear()
            api.post("/offices/62.02/prints", PRINT, as_="operator", headers=headers)
            assert commits_seen_by_dump == [committed_before_dump]
            assert len(commits) == 1 + 2
    finally:
        event.remove(engine, "commit", count_commit)
