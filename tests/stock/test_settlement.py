"""Ancestors' figures follow a movement just after its answer, never inside it (issue 11).

A print writes its own office's rows only and queues its ancestors' share; the request
settles the queue once its answer is sent (stock/settlement.py), and `stock settle` takes
what a process that died in between left behind. These tests hold responses open (a
server that has not yet closed them) to see both sides of that moment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text, update

from config import Config
from inventory.core.db import db
from inventory.stock import settlement
from inventory.stock.models import OfficeRollup
from tests.helpers import books_problems, deliver, print_card
from tests.test_cli import run

REPLACEMENT = {"outcome": "printed", "reason": "replacement"}
PRINT = {"outcome": "printed", "reason": "new_record"}


def held_open(api, method: str, path: str, as_: str, json=None):
    """A request whose answer was sent but whose response the server has not closed yet."""
    client = FlaskClient(api.app)  # werkzeug's own client: nothing closes the response
    headers = {"Authorization": f"Bearer {api.tokens[as_]}"}
    return client.open("/api/v1" + path, method=method, json=json, headers=headers)


def subtree(api, code: str) -> int:
    return api.get(f"/offices/{code}/stock", as_="admin").json["subtree_on_hand"]


def unresolved(api, code: str, kind: str):
    found = api.get(f"/alerts?office={code}&kind={kind}&status=unresolved", as_="admin").json["items"]
    own = [alert for alert in found if alert["office"] == code]  # ?office= is the whole area
    return own[0] if own else None


def test_ancestors_totals_and_alerts_follow_a_print_once_its_answer_is_sent(api):
    api.app.config["RATE_MIN_PRINTS"] = 1
    deliver(api, "62.02.05", 100)
    print_card(api, "62.02.05", REPLACEMENT, as_="baamang_operator")
    assert subtree(api, "ID") == subtree(api, "62.02") == 99

    answers = [
        held_open(api, "POST", "/offices/62.02.05/prints", "baamang_operator", REPLACEMENT) for _ in range(9)
    ]

    assert [answer.status_code for answer in answers] == [201] * 9
    assert subtree(api, "62.02.05") == 90  # the office's own figures: in its transaction
    assert subtree(api, "62.02") == subtree(api, "ID") == 99  # the ancestors': not yet
    # Projection-based alerts (of the office, above its min_stock, and of its ancestors) follow
    # with the settler; low stock and stock-out are exact in the print's transaction (below).
    assert unresolved(api, "62.02.05", "projected_shortfall") is None
    assert unresolved(api, "62.02", "projected_shortfall") is None
    assert books_problems(api) == []  # the queue is part of the books: verify counts it in

    answers[0].close()  # the server closes the first answer: its settler takes the whole queue

    assert subtree(api, "62.02") == subtree(api, "62") == subtree(api, "ID") == 90
    assert unresolved(api, "62.02.05", "projected_shortfall")["figures"]["remaining"] == 90
    assert unresolved(api, "62.02", "projected_shortfall")["figures"]["remaining"] == 90
    with api.app.app_context():
        assert settlement.queued_count() == 0
    for answer in answers[1:]:
        answer.close()  # nothing left to settle: each looks and leaves
    assert subtree(api, "ID") == 90
    assert books_problems(api) == []


def test_low_stock_and_stock_out_follow_a_print_in_its_own_transaction(api):
    api.app.config["RATE_MIN_PRINTS"] = 1  # the office's own replacements make its demand
    assert api.patch("/offices/62.02.05", {"min_stock": 2}, as_="manager").status_code == 200
    deliver(api, "62.02.05", 4)
    body = REPLACEMENT  # replacements keep coming: demand remains when the blanks are gone

    above = held_open(api, "POST", "/offices/62.02.05/prints", "baamang_operator", body)  # 3 left
    assert above.status_code == 201 and unresolved(api, "62.02.05", "low_stock") is None
    at_minimum = held_open(api, "POST", "/offices/62.02.05/prints", "baamang_operator", body)  # 2 left
    assert unresolved(api, "62.02.05", "low_stock")["figures"]["on_hand"] == 2  # before any settling
    for _ in range(2):
        last = held_open(api, "POST", "/offices/62.02.05/prints", "baamang_operator", body)
    assert last.json["on_hand"] == 0
    assert unresolved(api, "62.02.05", "stockout") is not None  # exact, before any settling
    for answer in (above, at_minimum, last):
        answer.close()
    assert books_problems(api) == []


def test_shares_a_dead_process_left_queued_are_settled_by_the_worker(api):
    deliver(api, "62.02.05", 10)
    answer = held_open(
        api,
        "POST",
        "/offices/62.02.05/prints",
        "baamang_operator",
        {"outcome": "spoiled", "reason": "new_record"},
    )
    assert answer.status_code == 201
    # The process dies here: its response is never closed, its settler never runs.
    assert subtree(api, "62.02") == 10
    assert books_problems(api) == []

    result = run(api.app, "stock", "settle")

    assert result.exit_code == 0, result.output
    assert "Settled 1 queued share(s); 0 left." in result.output
    assert subtree(api, "62.02") == subtree(api, "ID") == 9
    usage = api.get("/offices/62.02/projection", as_="manager")
    assert usage.status_code == 200
    assert books_problems(api) == []


def test_verify_names_a_rollup_that_disagrees_with_its_offices(api):
    deliver(api, "62.02.05", 10)
    with api.app.app_context():
        db.session.execute(update(OfficeRollup).where(OfficeRollup.office_id == 1).values(on_hand=11))
        db.session.commit()

    assert books_problems(api) == [
        "office ID: subtree rollup on_hand 11 in_transit_in 0 but its offices hold 10 and 0"
        " (queued shares counted)"
    ]


def test_a_print_waits_for_no_row_its_ancestors_own(api, on_postgresql, database_url):
    """Another transaction holds every row of the regency, the province and the nation (their
    rollups, daily usage, alerts, balances): a district still prints. Only its settler waits."""
    deliver(api, "62.02.05", 10)
    print_card(api, "62.02.05", as_="baamang_operator")  # usage rows exist for every ancestor
    engine = create_engine(database_url)
    holder = engine.connect()
    holder.execute(text("SET lock_timeout = '10s'"))
    ancestors = "(SELECT id FROM offices WHERE code IN ('ID', '62', '62.02'))"
    for table in ("office_rollups", "daily_usage", "balances", "alerts"):
        holder.execute(text(f"SELECT 1 FROM {table} WHERE office_id IN {ancestors} FOR UPDATE"))
    result = {}

    def print_there():
        result["answer"] = held_open(
            api,
            "POST",
            "/offices/62.02.05/prints",
            "baamang_operator",
            {"outcome": "printed", "reason": "new_record"},
        )

    worker = threading.Thread(target=print_there)
    try:
        worker.start()
        worker.join(timeout=8)
        assert not worker.is_alive(), "the print waited for its ancestors' rows"
        assert result["answer"].status_code == 201
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
        worker.join()
    result["answer"].close()
    assert subtree(api, "ID") == 8


def test_one_settler_at_a_time_and_the_holder_takes_the_rest(api, on_postgresql, database_url):
    deliver(api, "62.02.05", 10)
    answer = held_open(
        api,
        "POST",
        "/offices/62.02.05/prints",
        "baamang_operator",
        {"outcome": "printed", "reason": "new_record"},
    )
    engine = create_engine(database_url)
    with engine.connect() as other_settler:
        other_settler.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": settlement._SETTLER_KEY})
        with api.app.app_context():
            assert settlement.settle_batch() is None  # leaves at once: the holder will look again
            assert settlement.settle_pending() == 0
            assert settlement.queued_count() == 1
        other_settler.rollback()
    engine.dispose()
    answer.close()
    assert subtree(api, "62.02") == 9


def test_with_an_interval_a_thread_of_the_process_settles_soon_after(api):
    """As in production (config.Config's SETTLE_INTERVAL_SECONDS, 1 s): answers wake the
    process's settler thread, which settles everything queued in one batch, within the
    interval and a fraction (README: "about a second and a quarter")."""
    interval = Config.SETTLE_INTERVAL_SECONDS
    api.app.config["SETTLE_INTERVAL_SECONDS"] = interval
    deliver(api, "62.02.05", 10)
    for _ in range(3):
        print_card(api, "62.02.05", as_="baamang_operator")

    deadline = time.monotonic() + 5
    while subtree(api, "ID") != 7 and time.monotonic() < deadline:
        time.sleep(0.05)
    settled_after = 5 - (deadline - time.monotonic())

    assert subtree(api, "ID") == subtree(api, "62.02") == 7
    assert settled_after < interval + 0.5
    with api.app.app_context():
        assert settlement.queued_count() == 0
    assert books_problems(api) == []


def test_a_backlog_longer_than_a_batch_is_taken_batch_after_batch(api):
    """A settler stops after a batch that was not full (what is queued since came after it,
    and its own answer brings a settler back); a full one means a backlog, which it drains."""
    deliver(api, "62.02.05", 10)
    answers = [
        held_open(api, "POST", "/offices/62.02.05/prints", "baamang_operator", PRINT) for _ in range(5)
    ]
    with api.app.app_context():
        assert settlement.queued_count() == 5
        assert settlement.settle_pending(batch=2) == 5  # 2, 2, then 1: not full, so it stops
        assert settlement.queued_count() == 0
    for answer in answers:
        answer.close()
    assert subtree(api, "ID") == subtree(api, "62.02") == 5
    assert books_problems(api) == []


def hold_the_queue(database_url: str, seconds: float) -> threading.Thread:
    """Another settler holding the queue for `seconds` (PostgreSQL's advisory lock)."""
    taken = threading.Event()

    def hold():
        engine = create_engine(database_url)
        try:
            with engine.connect() as other:
                other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": settlement._SETTLER_KEY})
                taken.set()
                time.sleep(seconds)
                other.rollback()
        finally:
            engine.dispose()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(10)
    return holder


@pytest.mark.parametrize("interval", [0, Config.SETTLE_INTERVAL_SECONDS])
def test_a_settler_turned_away_by_another_comes_back(api, on_postgresql, database_url, interval):
    """The holder may have taken its batch before this print's share was committed, and it
    does not look again after a batch that was not full: the settler it turned away (the
    answering thread with no interval, the process's settler thread with one) tries again."""
    api.app.config["SETTLE_INTERVAL_SECONDS"] = interval
    deliver(api, "62.02.05", 10)
    holder = hold_the_queue(database_url, interval + 0.5)  # past the settler's first try
    print_card(api, "62.02.05", as_="baamang_operator")  # its answer is closed: a settler tries
    assert subtree(api, "62.02.05") == 9
    holder.join()  # the holder's turn is over

    # README: one interval later (and the batch), counted from when the other let go.
    assert wait_for_subtree(api, "ID", 9) < interval + 0.5
    assert subtree(api, "62.02") == 9
    with api.app.app_context():
        assert settlement.queued_count() == 0


def wait_for_subtree(api, code: str, expected: int, seconds: float = 5) -> float:
    """Seconds until the subtree figure of `code` reads `expected` (or the deadline passed)."""
    started = time.monotonic()
    while subtree(api, code) != expected and time.monotonic() - started < seconds:
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_settler_that_leaves_a_backlog_comes_back_by_itself(api, monkeypatch):
    """A round takes at most MAX_BATCHES batches; what it leaves, its thread takes next round,
    with no new answer to wake it."""
    monkeypatch.setattr(settlement, "BATCH", 2)
    monkeypatch.setattr(settlement, "MAX_BATCHES", 1)
    deliver(api, "62.02.05", 10)
    api.app.config["SETTLE_INTERVAL_SECONDS"] = 0.2
    answers = [
        held_open(api, "POST", "/offices/62.02.05/prints", "baamang_operator", PRINT) for _ in range(5)
    ]
    answers[0].close()  # one answer wakes the thread; five shares wait, two to a round

    assert wait_for_subtree(api, "ID", 5) < 3
    with api.app.app_context():
        assert settlement.queued_count() == 0
    for answer in answers[1:]:
        answer.close()


def test_a_failed_round_is_tried_again(api, monkeypatch):
    """The database went away under the settler (a restart, a failover): the failure is
    logged and the thread tries again after a pause, with no new answer to wake it."""
    from sqlalchemy.exc import OperationalError

    take, calls = settlement._take, []

    def fails_once(batch):
        calls.append(batch)
        if len(calls) == 1:
            raise OperationalError(
                "DELETE FROM pending_rollups", {}, Exception("server closed the connection")
            )
        return take(batch)

    monkeypatch.setattr(settlement, "_take", fails_once)
    api.app.config["SETTLE_INTERVAL_SECONDS"] = 0.2
    deliver(api, "62.02.05", 10)
    print_card(api, "62.02.05", as_="baamang_operator")

    assert wait_for_subtree(api, "ID", 9) < 3
    assert len(calls) == 2
    assert books_problems(api) == []


def test_a_process_that_exits_settles_what_it_queued_on_its_way_out(api, database_url, tmp_path):
    """A server stopping, reloading or recycling a worker ends it normally within the
    interval after its last answer: the thread dies mid-wait, the exit settles."""
    deliver(api, "62.02.05", 10)
    script = tmp_path / "one_print_then_exit.py"
    script.write_text(
        "import sys\n"
        "from inventory import create_app\n"
        "app = create_app('config.TestConfig', SQLALCHEMY_DATABASE_URI=sys.argv[1],"
        " SETTLE_INTERVAL_SECONDS=30)\n"
        "answer = app.test_client().post('/api/v1/offices/62.02.05/prints',"
        " json={'outcome': 'printed', 'reason': 'new_record'},"
        " headers={'Authorization': 'Bearer ' + sys.argv[2]})\n"
        "assert answer.status_code == 201, answer.json\n"
        "answer.close()\n"  # as a server does: the settler thread wakes, then waits 30 s
        "sys.exit(0)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script), database_url, api.tokens["baamang_operator"]],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert subtree(api, "62.02.05") == 9
    assert subtree(api, "62.02") == subtree(api, "ID") == 9
    with api.app.app_context():
        assert settlement.queued_count() == 0


def test_the_worker_takes_a_backlog_of_any_size_in_one_run(api, monkeypatch):
    monkeypatch.setattr(settlement, "MAX_BATCHES", 1)
    deliver(api, "62.02.05", 10)
    answers = [
        held_open(api, "POST", "/offices/62.02.05/prints", "baamang_operator", PRINT) for _ in range(5)
    ]

    with api.app.app_context():
        assert settlement.settle_pending(batch=2) == 2  # one round: MAX_BATCHES batches
    monkeypatch.setattr(settlement, "BATCH", 2)
    result = run(api.app, "stock", "settle")

    assert result.exit_code == 0, result.output
    assert "Settled 3 queued share(s); 0 left." in result.output
    assert subtree(api, "ID") == 5
    for answer in answers:
        answer.close()
