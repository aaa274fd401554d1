"""Transactions that only read end with COMMIT, not ROLLBACK (core/db.py end_reads): psycopg
drops every prepared statement of a connection on a rollback, so a pooled connection that a
GET or the settler's look for work rolled back made the next print parse and plan its
statements again. These count what the engine sends at the end of each transaction."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text

from inventory.core.db import db, reading
from inventory.stock import settlement
from tests.helpers import deliver, print_card


@contextmanager
def transaction_ends(app):
    """Counts of 'commit' and 'rollback' sent on the app's engine while the block runs."""
    with app.app_context():
        engine = db.engine
    seen: Counter = Counter()

    def on_commit(_connection):
        seen["commit"] += 1

    def on_rollback(_connection):
        seen["rollback"] += 1

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)


def test_reads_of_the_api_end_with_a_commit(api):
    deliver(api, "62.02", 10)
    print_card(api, "62.02")
    with transaction_ends(api.app) as seen:
        for path in ("/offices/62.02/stock", "/offices/62.02/ledger?limit=5", "/offices/62.02/projection"):
            assert api.get(path, as_="manager").status_code == 200
        assert api.get("/healthz").status_code == 200
    assert seen["rollback"] == 0
    assert seen["commit"] >= 3


def test_a_refused_read_still_answers_and_a_failed_write_is_rolled_back(api):
    with transaction_ends(api.app) as seen:
        assert api.get("/offices/99.99/stock", as_="manager").status_code == 404
        refused = api.post(
            "/offices/62.02/prints", {"outcome": "printed", "reason": "new_record"}, as_="operator"
        )
        assert refused.status_code == 409  # no blank: its transaction is undone
    assert seen["rollback"] >= 1


def test_the_settlers_look_for_work_and_a_survey_end_with_a_commit(api):
    deliver(api, "62.02", 10)
    with api.app.app_context(), transaction_ends(api.app) as seen:
        assert settlement.settle_pending() == 0  # nothing queued: it only looked
        with reading():
            db.session.execute(text("SELECT 1"))
    assert seen == Counter({"commit": 2})


def test_a_settler_that_finds_the_queue_taken_leaves_with_a_commit(api, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has one writer at a time, no advisory lock to find taken")
    deliver(api, "62.02", 10)
    print_card(api, "62.02")  # settled after its answer; queue one more share by hand below
    other = create_engine(api.app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as holder, api.app.app_context():
            holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": settlement._SETTLER_KEY})
            with transaction_ends(api.app) as seen:
                assert settlement.settle_batch() is None
            holder.rollback()
    finally:
        other.dispose()
    assert seen == Counter({"commit": 1})
