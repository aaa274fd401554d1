"""The README is run, not read: every curl in it runs, in order, against a fresh demo.

The demo is loaded by the real `flask seed` command (as `make run` does) into a fresh
database, the app is served over real HTTP on loopback, and each ```sh block of the README
that calls curl runs in bash, in a folder whose instance/demo-tokens.txt is the demo's, with
only the address changed. Each curl call is logged (status, method, URL, answer), so the
test holds every example to what its text promises: it succeeds, and where the text says
what it does (a count two short of the books, a CSV of the regency, a consumption report
with prints in it), that is what happened.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

README = Path(__file__).resolve().parent.parent / "README.md"
DEMO_ADDRESS = "http://127.0.0.1:5000"

# Each curl call appends "status method url" to calls.log and keeps its answer in N.body,
# unless the example saves it with -o itself. The counter lives in a file because examples
# call curl inside $(...) subshells.
HARNESS = r"""
set -euo pipefail
curl() {
    local n; n=$(( $(cat "$CALLS/count") + 1 )); echo "$n" > "$CALLS/count"
    command curl --no-progress-meter --max-time 30 \
        -w "%{stderr}$n %{http_code} %{method} %{url_effective}\n" "$@" 2>>"$CALLS/calls.log" \
        | tee "$CALLS/$n.body"
}
"""


def readme_examples() -> list[str]:
    """The README's shell blocks that talk to the API, in the order a reader meets them."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    return [block for block in blocks if "curl " in block]


class Call:
    def __init__(self, line: str, folder: Path) -> None:
        number, status, self.method, self.url = line.split(" ", 3)
        self.status = int(status)
        body = folder / f"{number}.body"
        self.text = body.read_text() if body.exists() else ""

    def json(self):
        return json.loads(self.text)

    def __repr__(self) -> str:
        return f"{self.method} {self.url} -> {self.status} {self.text[:300]}"


@pytest.fixture
def served(app):
    """The app behind a real HTTP server on loopback, for as long as the test runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_every_readme_example_does_what_its_text_says(app, served, tmp_path):
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    with app.app_context():  # `seed` is a plain click command: the flask script would push this
        seeded = app.test_cli_runner().invoke(args=["seed"])
    assert seeded.exit_code == 0, seeded.output

    reader = tmp_path / "reader"  # the reader's checkout: instance/ holds the demo tokens
    reader.mkdir()
    (reader / "instance").symlink_to(instance)
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "count").write_text("0")
    script = HARNESS + "\n".join(readme_examples()).replace(DEMO_ADDRESS, served)
    run = subprocess.run(
        ["bash", "-c", script],
        cwd=reader,
        env={"PATH": "/usr/bin:/bin", "CALLS": str(calls), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = (calls / "calls.log").read_text().splitlines() if (calls / "calls.log").exists() else []
    made = [Call(line, calls) for line in log if re.match(r"^\d+ \d{3} ", line)]
    assert run.returncode == 0, f"{run.stderr}\n{made}"
    assert len(made) == sum(block.count("curl ") for block in readme_examples())

    for call in made:
        assert 200 <= call.status < 300, call

    def only(method: str, pattern: str) -> Call:
        found = [c for c in made if c.method == method and re.search(pattern, c.url)]
        assert len(found) == 1, (method, pattern, found)
        return found[0]

    # The admin's new user and her token are in the audit log, the token itself nowhere in it.
    token = only("POST", r"/users/\d+/tokens$").json()["token"]
    logged = only("GET", r"/audit\?subject=siti").json()["items"]
    assert [(e["kind"], e["actor"]) for e in logged] == [("token.issued", "admin"), ("user.created", "admin")]
    assert token not in json.dumps(logged)
    # The count is the books less two missing blanks, not a number that wipes the delivery.
    adjustments = [c.json()["movement"] for c in made if c.url.endswith("/offices/62.02/adjustments")]
    count, damage = adjustments
    assert count["kind"] == "stocktake" and count["quantity"] == -2, count
    # The reversal undoes the damage entry recorded just before it.
    reversal = only("POST", r"/movements/\d+/reverse$").json()["movement"]
    assert damage["kind"] == "damage"
    assert reversal["reverses_id"] == damage["id"] and reversal["quantity"] == 3
    # Each transfer received is the one just dispatched: stock, then 20 planned and dispatched
    # later, then the spoiled card sent up for destruction, then the lowest 100 serialled
    # blanks, then the spoiled serialled card sent up, then 50 of which 47 arrived.
    sent = [c.json() for c in made if c.method == "POST" and re.search(r"/transfers$", c.url)]
    landed = [c.json() for c in made if c.method == "POST" and re.search(r"/transfers/\d+/receive$", c.url)]
    assert [t["id"] for t in landed] == [t["id"] for t in sent], (sent, landed)
    assert all(t["status"] == "received" for t in landed)
    _stock_sent, planned_sent, custody_sent, serials_sent, burned_sent, _short_sent = sent
    # Planned, nothing moved; then dispatched by the warehouse, the manager still its planner.
    assert (planned_sent["status"], planned_sent["dispatched_by"]) == ("planned", None), planned_sent
    dispatched = only("POST", r"/transfers/\d+/dispatch$").json()
    assert dispatched["id"] == planned_sent["id"] and dispatched["status"] == "in_transit", dispatched
    assert (dispatched["dispatched_by"], dispatched["planned_by"]) == ("warehouse", "manager"), dispatched
    assert landed[-1]["counted"] == 47 and landed[-1]["loss"]["quantity"] == -3, landed[-1]
    assert (landed[-1]["loss"]["kind"], landed[-1]["loss"]["office"]) == ("loss_in_transit", "62.02")
    assert custody_sent["custody"] == "spoiled" and custody_sent["category"] == "spoiled_print"
    assert serials_sent["serials"] == ["KTP0001000-KTP0001099"], serials_sent
    # The spoiled card was burned before witnesses: the berita acara printed, scanned, reported.
    assert only("POST", r"/destructions/\d+/report$").json()["status"] == "reported"
    assert (reader / "berita-acara.pdf").read_bytes().startswith(b"%PDF-")
    # Blank KTP0001000's story: delivered, sent to Baamang, received there, printed there.
    story = only("GET", r"/serials/KTP0001000$").json()
    assert [step["kind"] for step in story["trail"]] == ["delivery", "transfer_out", "transfer_in", "print"]
    assert story["ended_by"]["office"] == "62.02.05", story
    assert only("GET", r"/offices/62.02.05/serials$").json()["held"][0]["range"] == "KTP0001001-KTP0001099"
    # Blank KTP0001001, spoiled at Baamang and sent up, burned by the berita acara naming it.
    assert burned_sent["custody"] == "spoiled" and burned_sent["from"] == "62.02.05", burned_sent
    ashes = only("GET", r"/serials/KTP0001001$").json()
    assert ashes["destroyed_by"]["document_no"] == "BA-470/013/2026", ashes
    assert [step["kind"] for step in ashes["trail"]][-2:] == ["print", "destruction"], ashes
    assert ashes["ended_by"]["outcome"] == "spoiled" and ashes["trail"][-1]["office"] == "62.02"
    manifest = only("POST", r"/deliveries/manifest").json()
    assert manifest["movement"]["serials"] == ["04A1B2C3D4E5F6", "04A1B2C3D4E5F7"], manifest
    patched = [c.json() for c in made if c.method == "PATCH" and re.search(r"/offices/62.02.05$", c.url)]
    assert patched[0]["serials_required"] is True and patched[-1]["public_quantity"] is True, patched
    # The usage report's files are what they say.
    assert (reader / "laporan-kotim.xlsx").read_bytes().startswith(b"PK")
    assert (reader / "laporan-kotim.pdf").read_bytes().startswith(b"%PDF-")
    # The request was lowered twice, then filled by the delivery that named it.
    request = only("GET", r"/requests/\d+$").json()
    assert request["status"] == "fulfilled" and request["approved_quantity"] == 2500, request
    assert (reader / "surat-permintaan.pdf").read_bytes().startswith(b"%PDF-")
    # The manager's subscription heard the request approved (by the ministry, once) and fulfilled.
    heard = [(n["kind"], n["request_id"]) for n in only("GET", r"/notifications").json()["items"]]
    assert [kind for kind, about in heard if about == request["id"]] == [
        "request_fulfilled",
        "request_approved",
    ], heard
    # The alert acknowledged is one the manager was shown.
    shown = {alert["id"] for alert in only("GET", r"/alerts\?status=unresolved").json()["items"]}
    assert only("POST", r"/alerts/\d+/acknowledge$").json()["id"] in shown
    # The saved CSV is the regency's report, not an error.
    csv_file = next(reader.glob("*.csv"))
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbfoffice,"), csv_file.read_bytes()[:200]
    assert "62.02.05" in csv_file.read_text(encoding="utf-8-sig")
    # The consumption report covers the demo's prints.
    consumption = only("GET", r"/reports/consumption").json()
    assert consumption["totals"]["printed"] > 0 and consumption["bucket"] == "week", consumption
    # The election day set is ahead, so the projection plans for it.
    projections = [c for c in made if c.method == "GET" and re.search(r"/offices/62\.02/projection$", c.url)]
    projection = projections[0].json()  # the walk-through's; the requests section reads it again
    assert projection["horizon_basis"] == "target_date"
    assert projection["inputs"]["target_date"] == "2029-02-14"
