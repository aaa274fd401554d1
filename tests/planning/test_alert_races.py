"""Two evaluations of one office's alerts at once (PostgreSQL): a print at or under the
office's min_stock evaluates them in its own transaction, while the settler, which holds
none of the office's rows, evaluates the offices that printed in its batch. Both may find
an alert to open; the second waits for the first and refreshes what it opened, instead
of failing on the unique index (a 500 for the print: found by the full suite, 50 prints
racing at a regency)."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, text

from tests.helpers import deliver, print_card

PRINT = {"outcome": "printed", "reason": "new_record"}


def unresolved(api, code: str, kind: str) -> list[dict]:
    found = api.get(f"/alerts?office={code}&kind={kind}&status=unresolved", as_="admin").json["items"]
    return [alert for alert in found if alert["office"] == code]


def test_a_print_opening_an_alert_another_transaction_is_opening_waits_and_refreshes_it(
    api, on_postgresql, database_url
):
    deliver(api, "62.02.05", 4)
    assert api.patch("/offices/62.02.05", {"min_stock": 4}, as_="manager").status_code == 200
    assert unresolved(api, "62.02.05", "low_stock")  # 4 held, at min_stock: opened
    print_card(api, "62.02.05", as_="baamang_operator")
    # Resolve it behind the app's back, so the next print opens it again...
    engine = create_engine(database_url)
    other = engine.connect()
    other.execute(text("UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE kind = 'low_stock'"))
    other.commit()
    # ...while another transaction is opening the same alert, not yet committed.
    office = other.execute(text("SELECT id FROM offices WHERE code = '62.02.05'")).scalar_one()
    other.execute(
        text(
            "INSERT INTO alerts (office_id, kind, status, severity, message, figures, opened_at, updated_at)"
            " VALUES (:office, 'low_stock', 'open', 'warning', 'opened elsewhere', '{}', now(), now())"
        ),
        {"office": office},
    )
    answer = {}
    printing = threading.Thread(
        target=lambda: answer.setdefault(
            "it", api.post("/offices/62.02.05/prints", PRINT, as_="baamang_operator")
        )
    )
    try:
        printing.start()
        printing.join(timeout=2)
        assert printing.is_alive()  # it waits for the other transaction's alert
        other.commit()
        printing.join(timeout=10)
    finally:
        other.rollback()
        other.close()
        engine.dispose()

    assert answer["it"].status_code == 201, answer["it"].json
    [alert] = unresolved(api, "62.02.05", "low_stock")
    assert alert["message"] != "opened elsewhere"  # refreshed with the print's figures
    assert alert["figures"] == {"on_hand": 2, "min_stock": 4}
