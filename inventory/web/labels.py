"""Words the pages show for the codes the domain uses, in the reader's language."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _pl

from ..core.errors import DomainError

# Context "status": the one-word verdict on an office, apart from the same words used for figures.
STATUS_LABELS = {
    "ok": _pl("status", "OK"),
    "low": _pl("status", "Low"),
    "shortfall": _pl("status", "Shortfall"),
    "out": _pl("status", "Out"),
}
ROLE_LABELS = {"admin": _l("Administrator"), "manager": _l("Manager"), "warehouse": _l("Warehouse"),
               "operator": _l("Operator")}  # fmt: skip
OFFICE_KINDS = {"national": _l("National"), "province": _l("Province"), "regency": _l("Regency/city"),
                "district": _l("District"), "mobile": _l("Mobile unit")}  # fmt: skip
MOVEMENT_KINDS = {
    "delivery": _l("Delivery"), "print": _l("Print"), "transfer_out": _l("Transfer out"),
    "transfer_in": _l("Transfer in"), "transfer_return": _l("Transfer returned"),
    "stocktake": _l("Stocktake"), "loss": _l("Loss"), "damage": _l("Damage"), "found": _l("Found"),
    "correction": _l("Correction"), "reversal": _l("Reversal"),
}  # fmt: skip
ALERT_KINDS = {
    "low_stock": _l("Low stock"), "stockout": _l("Out of stock"),
    "projected_shortfall": _l("Projected shortfall"), "reorder_now": _l("Reorder now"),
    "stockout_before_target": _l("Runs out before the target date"),
}  # fmt: skip
SEVERITIES = {"warning": _l("Warning"), "critical": _l("Critical")}
ALERT_STATUSES = {"open": _l("Open"), "acknowledged": _l("Acknowledged"), "resolved": _l("Resolved")}
TRANSFER_STATUSES = {"in_transit": _l("In transit"), "received": _l("Received"), "cancelled": _l("Cancelled")}
PRINT_OUTCOMES = {"printed": _l("Printed"), "spoiled": _l("Spoiled")}
PRINT_REASONS = {"new_record": _l("New record"), "replacement": _l("Replacement (lost or damaged)"),
                 "data_change": _l("Change of data"), "other": _l("Other")}  # fmt: skip


NONE = "\u2013"  # an en dash where there is no figure


def number(value) -> str:
    return NONE if value is None else format_decimal(value)


def alert_text(alert: dict) -> str:
    """The alert's message from its kind and current figures; the stored English text otherwise."""
    f, code = alert["figures"], alert["office"]
    try:
        if alert["kind"] == "low_stock":
            return _("%(code)s holds %(on_hand)s blanks, at or below its minimum of %(min)s.",
                     code=code, on_hand=number(f["on_hand"]), min=number(f["min_stock"]))  # fmt: skip
        if alert["kind"] == "stockout":
            return _("%(code)s has no blanks left (nor any on the way) while %(demand)s are needed.",
                     code=code, demand=number(f["projected_demand"]))  # fmt: skip
        if alert["kind"] == "projected_shortfall":
            return _(
                "%(code)s needs %(demand)s blanks but has %(remaining)s: %(shortfall)s short. "
                "Suggested order: %(order)s.",
                code=code, demand=number(f["projected_demand"]), remaining=number(f["remaining"]),
                shortfall=number(f["shortfall"]), order=number(f["suggested_order"]),
            )  # fmt: skip
        if alert["kind"] == "reorder_now":
            return _(
                "%(code)s has %(cover)s days of cover, less than the %(lead)s-day re-supply time. "
                "Suggested order: %(order)s.",
                code=code, cover=number(f["days_of_cover"]), lead=f["lead_time_days"],
                order=number(f["suggested_order"]),
            )  # fmt: skip
        if alert["kind"] == "stockout_before_target":
            return _(
                "%(code)s runs out of blanks on %(date)s, before the target date %(target)s, "
                "with %(unrecorded)s residents still unrecorded.",
                code=code, date=f["stockout_date"], target=f["target_date"],
                unrecorded=number(f["unrecorded"]),
            )  # fmt: skip
    except (KeyError, TypeError):
        pass
    return alert["message"]


def describe(error: DomainError) -> str:
    """A domain error in the reader's language; the service's English text where there is no translation."""
    d = error.details
    texts = {
        "insufficient_stock": lambda: _(
            "Not enough blanks: %(needed)s needed, %(on_hand)s on hand.",
            needed=d.get("needed"),
            on_hand=d.get("on_hand"),
        ),
        "outside_area": lambda: _("This office is outside your area."),
        "forbidden": lambda: _("Your role may not do this."),
        "office_not_found": lambda: _("No such office."),
        "alert_not_found": lambda: _("No such alert."),
        "not_found": lambda: _("Not found."),
        "same_office": lambda: _("An office cannot transfer to itself."),
        "transfer_not_in_transit": lambda: _(
            "This transfer is no longer in transit (%(status)s).",
            status=TRANSFER_STATUSES.get(d.get("status"), d.get("status")),
        ),
        "alert_acknowledged": lambda: _("This alert has already been acknowledged."),
        "alert_resolved": lambda: _("This alert has already been resolved."),
    }
    text = texts.get(error.error)
    return text() if text else error.message
