"""The CLI's admin commands are recorded too, their actor the OS user who ran them."""

from __future__ import annotations

import getpass
import json

from tests.helpers import ok


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def entries(api, **query):
    return ok(api.get("/audit", query_string={"limit": 500, **query}, as_="admin"))["items"]


def test_user_commands_are_recorded_as_the_os_user(api):
    actor = f"cli:{getpass.getuser()}"

    created = run(api.app, "users", "create", "siti", "--role", "operator", "--office", "62.02.05")
    token = created.output.strip().splitlines()[-1]
    assert run(api.app, "users", "token", "siti", "--revoke-others").exit_code == 0
    assert run(api.app, "users", "disable", "siti").exit_code == 0
    assert run(api.app, "users", "enable", "siti").exit_code == 0

    logged = entries(api, actor=actor)
    assert [(e["kind"], e["subject"], e["actor_id"]) for e in logged] == [
        ("user.enabled", "siti", None),
        ("user.disabled", "siti", None),
        ("token.issued", "siti", None),
        ("token.revoked", "siti", None),
        ("token.issued", "siti", None),
        ("user.created", "siti", None),
    ]
    assert token not in json.dumps(logged)


def test_a_refused_command_records_nothing(api):
    before = entries(api)
    assert run(api.app, "users", "create", "x", "--role", "operator").exit_code != 0
    assert run(api.app, "users", "create", "manager", "--role", "manager", "--office", "62.02").exit_code != 0
    assert run(api.app, "users", "create", "x", "--role", "admin", "--password", "short").exit_code != 0
    assert run(api.app, "offices", "import-regions", "--under", "99").exit_code != 0
    assert entries(api) == before


def test_importing_regions_from_the_cli_is_recorded(api):
    result = run(api.app, "offices", "import-regions", "--under", "62.02")

    assert result.exit_code == 0, result.output
    [entry] = entries(api, kind="office.regions_imported")
    assert (entry["subject"], entry["actor"]) == ("62.02", f"cli:{getpass.getuser()}")
    assert entry["after"]["created"] == int(result.output.split()[0]) > 0
