"""`flask population import FILE.csv`: all rows or none, and every bad row named by its line."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inventory.core.db import db
from inventory.offices.regions import import_regions
from inventory.planning import population
from inventory.planning.models import Population

HEADER = "code,target,recorded,print_backlog,as_of"


@pytest.fixture
def kotim(api):
    """The test world plus all 17 official districts of Kotawaringin Timur."""
    with api.app.app_context():
        import_regions("62.02")
        db.session.commit()
    return api


def run(app, *args):
    return app.test_cli_runner().invoke(args=["population", *args])


def write(tmp_path, *lines, name="figures.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def rows_held(api) -> int:
    with api.app.app_context():
        return db.session.execute(select(func.count()).select_from(Population)).scalar_one()


def effective(api, code):
    return api.get(f"/offices/{code}/population", as_="admin").json


@pytest.mark.parametrize("per_path_limit", [100, 1], ids=["walk-up", "whole-tree"])
def test_the_sample_adds_up_to_the_regency_total(kotim, monkeypatch, per_path_limit):
    # Small files refresh up from each office, big ones sweep the whole tree: same sums.
    monkeypatch.setattr(population, "PER_PATH_REFRESH_LIMIT", per_path_limit)

    result = run(kotim.app, "import", str(population.SAMPLE_CSV))

    assert result.exit_code == 0, result.output
    assert "Imported 17 office(s)" in result.output and "17 new, 0 updated" in result.output
    regency = effective(kotim, "62.02")
    assert regency["source"] == "children" and regency["own"] is None
    figures = regency["effective"]
    assert (figures["target"], figures["recorded"], figures["unrecorded"]) == (310_785, 308_289, 2_496)
    assert figures["as_of"] == "2023-11-20"
    assert 17 * 50 <= figures["print_backlog"] <= 17 * 500  # a few hundred per district
    assert effective(kotim, "62")["effective"] == figures == effective(kotim, "ID")["effective"]


def test_the_sample_has_one_row_per_district_and_none_for_the_regency():
    with open(population.SAMPLE_CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert [row["code"] for row in rows] == [f"62.02.{n:02d}" for n in range(1, 18)]
    for row in rows:
        target, recorded, backlog = (int(row[name]) for name in ("target", "recorded", "print_backlog"))
        assert 0 < backlog <= recorded <= target, row


def test_importing_again_updates_in_place(kotim, tmp_path):
    assert run(kotim.app, "import", str(population.SAMPLE_CSV)).exit_code == 0
    before = effective(kotim, "62.02")["effective"]

    again = run(kotim.app, "import", str(population.SAMPLE_CSV))

    assert again.exit_code == 0 and "0 new, 17 updated" in again.output
    assert effective(kotim, "62.02")["effective"] == before
    assert rows_held(kotim) == 17

    # A later file for one district changes that district and the sums, nothing else.
    newer = write(tmp_path, HEADER, "62.02.05,44050,44000,100,2023-12-01")
    assert run(kotim.app, "import", str(newer)).exit_code == 0
    assert effective(kotim, "62.02.05")["own"]["recorded"] == 44_000
    assert effective(kotim, "62.02")["effective"]["recorded"] == before["recorded"] + 44_000 - 43_877
    assert effective(kotim, "62.02.06")["own"]["recorded"] == 58_373
    assert effective(kotim, "62.02")["effective"]["as_of"] == "2023-11-20"  # the oldest figures summed


def test_every_bad_row_is_reported_by_line_and_nothing_is_written(kotim, tmp_path):
    path = write(
        tmp_path,
        HEADER,  # line 1
        "62.02.05,44050,43877,420,2023-11-20",  # 2: good, but not written either
        "99.99.99,100,90,0,2023-11-20",  # 3
        "62.02.06,100,101,0,2023-11-20",  # 4
        "62.02.07,100,90,-5,2023-11-20",  # 5
        "62.02.08,12.5,10,0,2023-11-20",  # 6
        "62.02.09,100,90,0,20/11/2023",  # 7
        "",  # 8: blank lines are skipped but counted
        "62.02.05,44050,43877,420,2023-11-20",  # 9
        "62.02.10,100,90",  # 10
        "62.02.11,100,90,0,2023-02-30",  # 11
        "62.02.12,100,50,60,2023-11-20",  # 12
        ",100,90,0,2023-11-20",  # 13
        "62.02.13,100,90,0,2023-11-20,surplus",  # 14
        "62.02.14,100,90,0,0001-01-01",  # 15
    )

    result = run(kotim.app, "import", str(path))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "line 3: unknown office code '99.99.99'",
        "line 4: recorded (101) exceeds target (100)",
        "line 5: print_backlog is negative (-5)",
        "line 6: target is not a whole number ('12.5')",
        "line 7: as_of is not a date in YYYY-MM-DD form ('20/11/2023')",
        "line 9: duplicate code 62.02.05 (already on line 2)",
        "line 10: print_backlog is empty",
        "line 10: as_of is empty",
        "line 11: as_of is not a date in YYYY-MM-DD form ('2023-02-30')",
        "line 12: print_backlog (60) exceeds recorded (50)",
        "line 13: code is empty",
        "line 14: 6 values but the header has 5 columns",
        "line 15: as_of is not between 1900 and 2999 ('0001-01-01')",
        f"Nothing imported: 13 error(s) in {path}.",
    ]
    assert rows_held(kotim) == 0
    assert effective(kotim, "62.02")["source"] == "none"


def test_a_file_without_the_columns_is_refused_at_its_header(kotim, tmp_path):
    path = write(tmp_path, "code,target,recorded,backlog", "62.02.05,44050,43877,420")

    result = run(kotim.app, "import", str(path))

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "line 1: missing column(s) print_backlog, as_of; expected code,target,recorded,print_backlog,as_of"
    )
    assert rows_held(kotim) == 0


def test_an_empty_file_is_refused(kotim, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")

    result = run(kotim.app, "import", str(path))

    assert result.exit_code == 1 and result.stderr.startswith("line 1: the file is empty")


def test_columns_may_come_in_any_order_beside_others_from_a_spreadsheet(kotim, tmp_path):
    path = write(
        tmp_path,
        "Name,as_of,CODE,print_backlog,recorded,target",
        "Baamang,2023-11-20, 62.02.05 ,420,43877,44050",
        encoding="utf-8-sig",  # Excel's "CSV UTF-8" starts with a byte-order mark
    )

    result = run(kotim.app, "import", str(path))

    assert result.exit_code == 0, result.output
    assert effective(kotim, "62.02.05")["own"]["target"] == 44_050


def test_a_missing_file_is_a_usage_error(kotim, tmp_path):
    result = run(kotim.app, "import", str(tmp_path / "nope.csv"))

    assert result.exit_code == 2 and "does not exist" in result.output


def test_the_service_reports_without_writing_so_the_caller_decides(kotim, tmp_path):
    path = write(tmp_path, HEADER, "62.02.05,44050,43877,420,2023-11-20", "62.02.06,1,2,0,2023-11-20")

    with kotim.app.app_context():
        report = population.import_csv(path)
        assert not report.ok and report.rows == 1
        assert [str(error) for error in report.errors] == ["line 3: recorded (2) exceeds target (1)"]
        assert db.session.execute(select(func.count()).select_from(Population)).scalar_one() == 0


def test_the_demo_seed_loads_the_sample_and_election_day_settings(app):
    from inventory.offices import tree as offices

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)  # where the demo tokens go
    runner = app.test_cli_runner()
    with app.app_context():  # `seed` is a plain click command: the flask script would push this
        first = runner.invoke(args=["seed"])
        assert first.exit_code == 0, first.output
        assert "already present" in runner.invoke(args=["seed"]).output  # a second run changes nothing

        regency = offices.get_by_code("62.02")
        figures = population.get_population(regency)
        assert figures["source"] == "children"
        assert (figures["effective"]["target"], figures["effective"]["recorded"]) == (310_785, 308_289)
        assert db.session.execute(select(func.count()).select_from(Population)).scalar_one() == 17
        # election day stays 78 days ahead, as it was for Kotim in November 2023
        assert (regency.target_date - date.today()).days == 78 and regency.print_capacity_per_day == 400
        assert (regency.lead_time_days, regency.safety_days) == (14, 7)
