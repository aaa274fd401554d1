"""Lead time is measured: once three of Kotawaringin Timur's requests are fulfilled, the
projection uses the median days from submission to the first receipt, and says so."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from inventory.blank_requests.models import BlankRequest
from inventory.core.db import db, utcnow
from tests.blank_requests.steps import approved, kotim_population
from tests.helpers import deliver, ok


def _fulfilled_after(api, days: float, quantity: int = 100) -> None:
    """A request approved, its submission moved `days` back, then delivered whole."""
    request = approved(api, quantity)
    with api.app.app_context():
        db.session.execute(
            update(BlankRequest)
            .where(BlankRequest.id == request["id"])
            .values(submitted_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()
    deliver(api, "62.02", quantity, request_id=request["id"], document_no=f"BAST-{request['id']}")
    assert ok(api.get(f"/requests/{request['id']}", as_="manager"))["status"] == "fulfilled"


def _lead_time(api) -> dict:
    inputs = ok(api.get("/offices/62.02/projection", as_="manager"))["inputs"]
    return {key: inputs[key] for key in ("lead_time_days", "lead_time_basis", "lead_time_setting_days")}


def test_the_projection_uses_the_measured_lead_time_from_three_fulfilled_requests(world):
    api = world
    kotim_population(api)
    ok(api.patch("/offices/62.02", {"lead_time_days": 14}, as_="admin"))
    assert _lead_time(api) == {
        "lead_time_days": 14,
        "lead_time_basis": "setting",
        "lead_time_setting_days": 14,
    }

    _fulfilled_after(api, 30)
    _fulfilled_after(api, 40)
    assert _lead_time(api)["lead_time_basis"] == "setting"  # two are not enough

    _fulfilled_after(api, 35.5)
    assert _lead_time(api) == {
        "lead_time_days": 36,
        "lead_time_basis": "measured",
        "lead_time_setting_days": 14,
    }
    # The measured time wins over the setting, which still reads back as set.
    ok(api.patch("/offices/62.02", {"lead_time_days": 60}, as_="admin"))
    assert _lead_time(api) == {
        "lead_time_days": 36,
        "lead_time_basis": "measured",
        "lead_time_setting_days": 60,
    }

    # Only the office's last five count; quick deliveries bring it down.
    for _ in range(3):
        _fulfilled_after(api, 10)
    assert _lead_time(api)["lead_time_days"] == 10
