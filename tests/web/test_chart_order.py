"""The balance chart follows the time of each movement, whatever order the prints arrived in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inventory.offices import tree
from inventory.offices.time_zones import local_day
from inventory.web import chart
from tests.helpers import PRINTED, deliver, print_batch, print_card
from tests.stock.test_query_cost import counting_statements, fill_ledger
from tests.web.dashboard import browser


def test_prints_uploaded_late_draw_the_same_line_as_prints_sent_in_order(api):
    now = datetime.now(UTC)
    days_ago = [now - timedelta(days=n) for n in (10, 6, 3)]
    deliver(api, "62.02", 10, received_at=(now - timedelta(days=12)).isoformat())
    deliver(api, "62.02.05", 10, received_at=(now - timedelta(days=12)).isoformat())
    # 62.02 prints on time; 62.02.05's unit uploads the same prints late, newest first
    for moment in days_ago:
        print_card(api, "62.02", {**PRINTED, "printed_at": moment.isoformat()})
    late = [
        {"client_id": f"late-{n}", **PRINTED, "printed_at": m.isoformat()} for n, m in enumerate(days_ago)
    ]
    print_batch(api, "62.02.05", late[::-1], as_="baamang_operator")

    with api.app.app_context():
        today = local_day(now, "WIB")  # 62.02 keeps WIB days
        on_time = chart.balance_points(tree.get_by_code("62.02").id, today, 7, "WIB")
        uploaded = chart.balance_points(tree.get_by_code("62.02.05").id, today, 7, "WIB")

    assert uploaded == on_time
    assert [balance for _, balance in on_time] == [0, 10, 9, 8, 7]  # one step down a print
    assert [day for day, _ in on_time][1:] == [
        local_day(now - timedelta(days=n), "WIB") for n in (12, 10, 6, 3)
    ]


def test_the_office_page_costs_the_same_statements_with_a_short_or_a_long_ledger(web):
    """The page (its stock card and a chart of the whole window) reads no more with 10,000
    movements than with 10; cf. tests/stock/test_event_order.py for the card alone."""
    fill_ledger(web.app, "62.02.05", 11)
    fill_ledger(web.app, "62.02.06", 10_001)
    reader = browser(web, "manager")
    assert reader.get("/offices/62.02.05").status_code == 200  # caches warm

    counts = []
    for code in ("62.02.05", "62.02.06"):
        with counting_statements(web.app) as statements:
            assert reader.get(f"/offices/{code}").status_code == 200
        counts.append(len(statements))

    assert counts[0] == counts[1]
