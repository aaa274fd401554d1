"""How the dashboard words dates, moments and movements in each language (no database needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import session

from inventory import create_app
from inventory.web import labels


@pytest.fixture(params=["id", "en"])
def language(request, tmp_path):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    with app.test_request_context("/"):
        session["lang"] = request.param
        yield request.param


def test_dates_are_written_day_first_with_the_month_spelled_out(language):
    month = {"id": "Des", "en": "Dec"}[language]
    assert labels.day(date(2026, 12, 2)) == f"2 {month} 2026"
    assert labels.day("2026-12-02") == f"2 {month} 2026"  # as alert figures keep them
    assert labels.day(None) == labels.NONE


def test_a_moment_is_shown_on_the_office_clock_with_its_zone(language):
    # 23:30 UTC on 1 Dec: 06:30 WIB, 07:30 WITA, 08:30 WIT on 2 Dec.
    moment = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    month = {"id": "Des", "en": "Dec"}[language]
    assert labels.moment(moment, "WIB") == f"2 {month} 2026 06:30 WIB"
    assert labels.moment(moment, "WIT") == f"2 {month} 2026 08:30 WIT"
    assert (
        labels.moment(moment.replace(tzinfo=None), "WITA") == f"2 {month} 2026 07:30 WITA"
    )  # SQLite: naive UTC
    assert labels.moment(moment) == f"1 {month} 2026 23:30 UTC"


def test_a_stocktake_is_worded_from_its_figures_and_its_old_english_note_is_not_repeated(language):
    counted = {"id": "Dihitung 1.200; menurut buku 1.250.", "en": "Counted 1,200; the books said 1,250."}
    for note in (None, "counted 1200, books said 1250"):  # the sentence the service used to store
        stocktake = {
            "kind": "stocktake",
            "quantity": -50,
            "balance_after": 1200,
            "reason": "Opname",
            "note": note,
        }
        assert labels.movement_details(stocktake) == f"{counted[language]} · Opname"
    typed = {"kind": "stocktake", "quantity": -50, "balance_after": 1200, "reason": "Opname", "note": "rak 3"}
    assert labels.movement_details(typed) == f"{counted[language]} · Opname · rak 3"


def test_links_and_numbers_of_a_movement_are_worded_in_the_language(language):
    words = {"id": ("Kiriman 7", "Membatalkan mutasi 9", "No. dokumen BAST-1 · No. batch B2"),
             "en": ("Transfer 7", "Reverses movement 9", "Document BAST-1 · Batch B2")}[language]  # fmt: skip
    out = {
        "kind": "transfer_out",
        "quantity": -5,
        "balance_after": 1,
        "transfer_id": 7,
        "reference": "transfer:7",
    }
    assert labels.movement_details(out) == words[0]
    reversal = {"kind": "reversal", "quantity": 1, "balance_after": 2, "reverses_id": 9, "reason": "typo",
                "reference": "movement:9"}  # fmt: skip
    assert labels.movement_details(reversal) == f"{words[1]} · typo"
    delivery = {
        "kind": "delivery",
        "quantity": 5,
        "balance_after": 5,
        "reference": "BAST-1",
        "batch_no": "B2",
    }
    assert labels.movement_details(delivery) == words[2]
