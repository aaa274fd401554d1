"""The service against its own OpenAPI spec: schemathesis, run as its CLI with all its checks
against the app served on loopback, generates requests for every operation in all its phases
(the spec's examples, coverage of each parameter's edges, fuzzing, stateful chains), valid and
invalid. It must find no server error, no answer that differs from the spec (status, body, content
type, headers, Allow on 405), no invalid request accepted and no valid one refused. Examples per
operation are bounded (SCHEMATHESIS_EXAMPLES, default 8) and the seed fixed, so a run takes about
a minute a database and a failure can be replayed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

from tests.helpers import deliver, dispatch, print_card

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "8")

# Schema-valid requests the domain still refuses, for rules OpenAPI 3.0 cannot state: one field
# against another (recorded <= target, `counted` or `kind` with `quantity`, `from` before `to`),
# a calendar range (years 1900-2999) or the data (a parent of the right kind, enough stock).
# Each is a clear 4xx with `error`; a 5xx or a body unlike the spec still fails.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "413", "415", "422"]

# A manifest is plain text or CSV: schemathesis sends its "null" (a schema-violating body) as
# the four letters n-u-l-l, which the server cannot tell from a chip UID named "null".
[[operations]]
include-path = "/api/v1/offices/{code}/deliveries/manifest"
checks.negative_data_rejection.enabled = false
"""


def test_every_operation_answers_as_its_spec_says(api, tmp_path):
    deliver(api, "62.02", 500)
    print_card(api, "62.02")
    dispatch(api, "62.02", "62.02.05", 5)
    (tmp_path / "schemathesis.toml").write_text(CONFIG)
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    command = [
        str(SCHEMATHESIS), "--config-file", str(tmp_path / "schemathesis.toml"),
        "run", f"http://127.0.0.1:{server.server_port}/openapi.json",
        "--header", f"Authorization: Bearer {api.tokens['admin']}",
        # No --checks: every check is on by default, and the config's per-operation switch
        # (above) would lose to the command line's.
        "--max-examples", EXAMPLES, "--seed", "20231120",
        "--workers", "1", "--no-color", "--report-dir", str(tmp_path / "report"),
    ]  # fmt: skip
    try:
        run = subprocess.run(
            command,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        server.shutdown()

    assert "72 selected / 72 total" in run.stdout, run.stdout[-3000:]  # every operation was tried
    assert run.returncode == 0, run.stdout[-12000:]
