"""Words the pages show for the codes the domain uses, in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel import dates
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _pl

from ..core.errors import DomainError
from ..offices.time_zones import ZONES
from ..stock.count_rules import LARGE_BLANKS, LARGE_SHARE

# Context "status": the one-word verdict on an office, apart from the same words used for figures.
STATUS_LABELS = {
    "ok": _pl("status", "OK"),
    "low": _pl("status", "Low"),
    "shortfall": _pl("status", "Shortfall"),
    "out": _pl("status", "Out"),
}
# The public board's words (inventory/reports/board_rules.py), with a sign each so that the
# status reads without colour.
PUBLIC_STATUSES = {
    "available": _pl("board", "Available"),
    "limited": _pl("board", "Limited"),
    "out": _pl("board", "None left"),
    "stale": _pl("board", "Not updated"),
}
PUBLIC_SIGNS = {"available": "✔", "limited": "!", "out": "✖", "stale": "?"}
ROLE_LABELS = {"admin": _l("Administrator"), "manager": _l("Manager"), "warehouse": _l("Warehouse"),
               "operator": _l("Operator")}  # fmt: skip
OFFICE_KINDS = {"national": _l("National"), "province": _l("Province"), "regency": _l("Regency/city"),
                "district": _l("District"), "mobile": _l("Mobile unit")}  # fmt: skip
MOVEMENT_KINDS = {
    "delivery": _l("Delivery"), "print": _l("Print"), "transfer_out": _l("Transfer out"),
    "transfer_in": _l("Transfer in"), "transfer_return": _l("Transfer returned"),
    "stocktake": _l("Stocktake"), "loss": _l("Loss"), "damage": _l("Damage"), "found": _l("Found"),
    "correction": _l("Correction"), "defective": _l("Defective blank"), "reversal": _l("Reversal"),
    "loss_in_transit": _l("Lost in transit"),
}  # fmt: skip
ALERT_KINDS = {
    "low_stock": _l("Low stock"), "stockout": _l("Out of stock"),
    "projected_shortfall": _l("Projected shortfall"), "reorder_now": _l("Reorder now"),
    "stockout_before_target": _l("Runs out before the target date"),
    "request_overdue": _l("Request overdue"),
    "destruction_overdue": _l("Destruction overdue"),
    "loss_in_transit": _l("Lost in transit"),
}  # fmt: skip
SEVERITIES = {"warning": _l("Warning"), "critical": _l("Critical")}
ALERT_STATUSES = {"open": _l("Open"), "acknowledged": _l("Acknowledged"), "resolved": _l("Resolved")}
TRANSFER_STATUSES = {"planned": _l("Planned"), "in_transit": _l("In transit"), "received": _l("Received"),
                     "cancelled": _l("Cancelled")}  # fmt: skip
REQUEST_STATUSES = {"draft": _l("Draft"), "submitted": _l("Submitted"), "approved": _l("Approved"),
                    "rejected": _l("Rejected"), "partially_fulfilled": _l("Partly fulfilled"),
                    "fulfilled": _l("Fulfilled"), "closed": _l("Closed"),
                    "cancelled": _l("Cancelled")}  # fmt: skip
PRINT_OUTCOMES = {"printed": _l("Printed"), "spoiled": _l("Spoiled")}
# Custody: cards awaiting destruction, and their berita acara (stock/custody.py, destructions.py).
CUSTODY_CATEGORIES = {"spoiled_print": _l("Spoiled prints"), "returned_card": _l("Returned cards"),
                      "defective_blank": _l("Defective blanks")}  # fmt: skip
RETURN_REASONS = {"replacement": _l("Replaced"), "data_change": _l("Change of data"),
                  "damaged": _l("Damaged"), "invalid": _l("Invalid")}  # fmt: skip
DESTRUCTION_METHODS = {"burned": _l("Burned"), "shredded": _l("Shredded"), "cut": _l("Cut")}
DESTRUCTION_STATUSES = {"draft": _l("Draft"), "signed": _l("Signed"), "reported": _l("Reported")}
CHANNELS = {"webhook": _l("Webhook"), "email": _l("E-mail")}
NOTIFICATION_STATUSES = {"pending": _l("Waiting to be sent"), "delivered": _l("Delivered"),
                         "failed": _l("Failed")}  # fmt: skip
NOTIFICATION_EVENTS = {"opened": _l("opened"), "escalated": _l("escalated"), "resolved": _l("resolved")}
PRINT_REASONS = {"new_record": _l("New record"), "replacement": _l("Replacement (lost or damaged)"),
                 "data_change": _l("Change of data"), "other": _l("Other")}  # fmt: skip


AUDIT_KINDS = {
    "office.created": _l("Office created"), "office.renamed": _l("Office renamed"),
    "office.closed": _l("Office closed"), "office.reopened": _l("Office reopened"),
    "office.time_zone_changed": _l("Office time zone changed"),
    "office.regions_imported": _l("Regions imported"), "user.created": _l("User created"),
    "user.role_changed": _l("Role changed"), "user.disabled": _l("User disabled"),
    "user.enabled": _l("User enabled"), "user.password_reset": _l("Password set"),
    "token.issued": _l("API token issued"), "token.revoked": _l("API token revoked"),
}  # fmt: skip
NONE = "\u2013"  # an en dash where there is no figure


def number(value) -> str:
    return NONE if value is None else format_decimal(value)


# Day first, the month spelled out, in both languages: "2 Dec 2026", "2 Des 2026" (the English
# locale's own medium form, "Dec 2, 2026", and short "12/2/26" read wrongly in Indonesia).
DAY = "d MMM y"


def day(value) -> str:
    if value is None:
        return NONE
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value, DAY)


def moment(value: datetime | None, time_zone: str | None = None) -> str:
    """Day and 24-hour time on the clock of `time_zone` (an office's), named; UTC otherwise."""
    if value is None:
        return NONE
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    # Babel itself, not flask_babel, whose formats would convert again to BABEL_DEFAULT_TIMEZONE.
    local = value.astimezone(ZONES[time_zone] if time_zone else UTC)
    locale = get_locale()
    when = (
        dates.format_date(local.date(), DAY, locale=locale),
        dates.format_time(local.time(), "HH:mm", locale=locale),
    )
    return f"{when[0]} {when[1]} {time_zone or 'UTC'}"


def _audit_value(value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return NONE if value is None else str(value)


def audit_changes(before: dict | None, after: dict | None) -> str:
    """An audit entry's changes in one line: "name: Baamang → Baamang Kota; active: yes"."""
    before, after = before or {}, after or {}
    parts = []
    for key in dict.fromkeys([*before, *after]):
        if key in before and key in after and before[key] != after[key]:
            parts.append(f"{key}: {_audit_value(before[key])} → {_audit_value(after[key])}")
        elif key in after:
            parts.append(f"{key}: {_audit_value(after[key])}")
        else:
            parts.append(f"{key}: {_audit_value(before[key])} → {NONE}")
    return "; ".join(parts)


def office_name(name: str | None, code: str) -> str:
    """An office as people name it, with its code beside: "Baamang (62.02.05)"."""
    return f"{name} ({code})" if name else code


# The stocktake note the service wrote until it stored only the figures (balance_after, quantity).
def _legacy_stocktake_note(m: dict) -> str:
    return f"counted {m['balance_after']}, books said {m['balance_after'] - m['quantity']}"


def movement_details(m: dict) -> str:
    """What the stock card says about a movement, from its data, in the reader's language.

    The system writes no prose into the ledger: a stocktake keeps what was counted as its
    balance and the difference as its quantity; transfers and reversals keep their links.
    Only what a person typed (reason, note, document and batch numbers) is shown as typed.
    """
    kind, parts = m["kind"], []
    if kind == "print":
        return (
            f"{PRINT_OUTCOMES.get(m['outcome'], m['outcome'])}, {PRINT_REASONS.get(m['reason'], m['reason'])}"
        )
    if kind == "stocktake":
        parts.append(_("Counted %(counted)s; the books said %(books)s.", counted=number(m["balance_after"]),
                       books=number(m["balance_after"] - m["quantity"])))  # fmt: skip
        if m.get("reference") == "confirmed":  # stock.service.CONFIRMED_COUNT
            parts.append(_("Large difference confirmed by %(name)s.", name=m.get("actor")))
    elif kind in ("transfer_out", "transfer_in", "transfer_return") and m.get("transfer_id"):
        parts.append(_("Transfer %(id)s", id=m["transfer_id"]))
    elif kind == "loss_in_transit":  # its reason is the missing serials, if the transfer had any
        parts.append(_("Did not arrive with transfer %(id)s", id=m.get("transfer_id")))
        if m.get("reason"):
            parts.append(_("Missing serials: %(serials)s", serials=m["reason"]))
        return " · ".join(str(part) for part in [*parts, m.get("note") or ""] if part)
    elif kind == "reversal" and m.get("reverses_id"):
        parts.append(_("Reverses movement %(id)s", id=m["reverses_id"]))
    elif kind == "delivery":
        if m.get("reference"):
            parts.append(_("Document %(number)s", number=m["reference"]))
        if m.get("batch_no"):
            parts.append(_("Batch %(number)s", number=m["batch_no"]))
    if m.get("reason"):
        parts.append(m["reason"])
    if m.get("note") and not (kind == "stocktake" and m["note"] == _legacy_stocktake_note(m)):
        parts.append(m["note"])
    return " · ".join(str(part) for part in parts)


def count_difference(books: int, counted: int) -> str:
    """A large stocktake difference in words, asking for the confirmation it needs."""
    difference = counted - books
    share = f" ({format_decimal(abs(difference) / books * 100, '#,##0.#')} %)" if books else ""
    if difference < 0:
        said = _("You counted %(counted)s blanks; the books say %(books)s: %(n)s fewer%(share)s.",
                 counted=number(counted), books=number(books), n=number(-difference),
                 share=share)  # fmt: skip
    else:
        said = _("You counted %(counted)s blanks; the books say %(books)s: %(n)s more%(share)s.",
                 counted=number(counted), books=number(books), n=number(difference), share=share)  # fmt: skip
    asked = _(
        "A difference of more than %(percent)s %% of the books or %(blanks)s blanks is recorded only "
        "when you confirm it; you will be recorded as who confirmed.",
        percent=round(LARGE_SHARE * 100),
        blanks=LARGE_BLANKS,
    )
    return f"{said} {asked}"


def projection_verdict(report: dict) -> str:
    """The projection in one sentence: enough or short, by when, and how long the stock lasts
    at the current pace (two different questions, so neither figure reads as contradicting the other)."""
    o, basis = report["outputs"], report["horizon_basis"]
    target = report["inputs"]["target_date"]
    if basis == "target_date":
        if o["shortfall"]:
            need = _("Short of %(n)s blanks to serve every resident before %(date)s.",
                     n=number(o["shortfall"]), date=day(target))  # fmt: skip
        else:
            need = _("Enough blanks to serve every resident before %(date)s.", date=day(target))
    elif o["shortfall"]:
        need = _("Short of %(n)s blanks for the next %(days)s days.", n=number(o["shortfall"]),
                 days=report["horizon_days"])  # fmt: skip
    else:
        need = _("Enough blanks for the next %(days)s days.", days=report["horizon_days"])
    if o["stockout_date"]:
        pace = _("At the current pace the stock runs out on %(date)s.", date=day(o["stockout_date"]))
    else:
        pace = _("Nothing has been used recently, so there is no run-out date.")
    return f"{need} {pace}"


def alert_text(alert: dict) -> str:
    """The alert's message from its kind and current figures; the stored English text otherwise."""
    f = alert["figures"]
    code = office_name(alert.get("office_name"), alert["office"])  # the office by name, code beside
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
                code=code, date=day(f["stockout_date"]), target=day(f["target_date"]),
                unrecorded=number(f["unrecorded"]),
            )  # fmt: skip
        if alert["kind"] == "loss_in_transit":  # planning/transit_alerts.py
            said = _(
                "%(missing)s blanks sent by %(code)s did not arrive (transfer %(transfers)s).",
                missing=number(f["missing"]), code=code,
                transfers=", ".join(str(t["transfer"]) for t in f["transfers"]),
            )  # fmt: skip
            serials = [serial for t in f["transfers"] for serial in t.get("serials") or []]
            if serials:
                said += " " + _("Missing serials: %(serials)s", serials=", ".join(serials))
            return said
        if alert["kind"] == "request_overdue":
            return _(
                "%(code)s still waits for %(on_order)s approved blanks, needed by %(date)s: "
                "%(days)s days overdue.",
                code=code, on_order=number(f["on_order"]), date=day(f["needed_by"]), days=f["days_overdue"],
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
        "office_inactive": lambda: _("This office is closed: it takes in no blanks."),
        "forbidden": lambda: _("Your role may not do this."),
        "office_not_found": lambda: _("No such office."),
        "alert_not_found": lambda: _("No such alert."),
        "not_found": lambda: _("Not found."),
        "same_office": lambda: _("An office cannot transfer to itself."),
        "transfer_not_in_transit": lambda: _(
            "This transfer is no longer in transit (%(status)s).",
            status=TRANSFER_STATUSES.get(d.get("status"), d.get("status")),
        ),
        "transfer_not_planned": lambda: _(
            "This transfer is no longer planned (%(status)s).",
            status=TRANSFER_STATUSES.get(d.get("status"), d.get("status")),
        ),
        "counted_exceeds_sent": lambda: _(
            "Counted %(counted)s, but the transfer carries %(sent)s blanks.",
            counted=number(d.get("counted")),
            sent=number(d.get("sent")),
        ),
        "missing_cards_need_naming": lambda: _(
            "Cards awaiting destruction: receive the transfer whole, then record each missing one."
        ),
        "same_person": lambda: _("You sent this transfer: someone else must count it in."),
        "missing_serials_required": lambda: _(
            "This transfer carries serials: name the %(n)s missing ones.", n=number(d.get("missing"))
        ),
        "serial_not_in_transfer": lambda: _(
            "This transfer does not carry %(serials)s.", serials=d.get("serials")
        ),
        "transfer_without_serials": lambda: _("This transfer carries no serials."),
        "alert_acknowledged": lambda: _("This alert has already been acknowledged."),
        "alert_resolved": lambda: _("This alert has already been resolved."),
        "target_date_past": lambda: _("This date has passed: give today or a later day, or leave it empty."),
        "bad_request_state": lambda: _("This request can no longer be changed that way."),
        "note_required": lambda: _("Write a note saying why."),
        "justification_required": lambda: _("A quantity other than the suggested one needs a justification."),
        "approved_quantity_too_high": lambda: _("At most %(n)s can be approved.", n=number(d.get("maximum"))),
        "not_your_request": lambda: _("Your office may not do this with this request."),
        "request_not_found": lambda: _("No such request."),
        "insufficient_custody": lambda: _(
            "Not enough cards awaiting destruction (%(category)s): %(needed)s needed, %(held)s held.",
            category=CUSTODY_CATEGORIES.get(d.get("category"), d.get("category")),
            needed=number(d.get("needed")),
            held=number(d.get("awaiting")),
        ),
        "serial_not_in_custody": lambda: _(
            "Serial %(serial)s is not a spoiled card awaiting destruction at %(office)s or below it.",
            serial=d.get("serial"),
            office=d.get("office"),
        ),
        "serial_already_destroyed": lambda: _(
            "Serial %(serial)s has already been destroyed.", serial=d.get("serial")
        ),
        "serial_count_mismatch": lambda: (
            _("Name no more serials than spoiled prints.") if "spoiled_print" in d else error.message
        ),
        "destruction_not_draft": lambda: _("This record is signed: it can no longer be changed."),
        "user_exists": lambda: _("A user with this name already exists."),
        "user_not_found": lambda: _("No such user."),
        "office_required": lambda: _("Only an administrator works without an office: give an office code."),
        "weak_password": lambda: _(
            "A password needs 12 to 200 characters, must not be a common one, nor contain the user name."
        ),
        "own_account": lambda: _("You may not do this to your own account; another administrator may."),
        "user_disabled": lambda: _("This user is disabled: enable it first."),
        "token_not_found": lambda: _("No such token."),
        "unknown_region": lambda: _("This is not an official province or regency code."),
        "office_exists": lambda: _("An office with this code already exists."),
        "national_exists": lambda: _("There is already a national office: the tree has one."),
        "serials_needed": lambda: _(
            "Only %(plain)s of the blanks here have no recorded serial: say which blanks, by their serials.",
            plain=d.get("without_serials"),
        ),
        "bad_parent": lambda: _("An office of this kind cannot sit there."),
        "bad_sign": lambda: _("This kind of adjustment needs the other direction."),
        "bad_population": lambda: _("These figures cannot all be true: %(reason)s", reason=error.message),
        "not_reversible": lambda: _("This movement cannot be reversed; a transfer is cancelled instead."),
        "already_reversed": lambda: _("This movement has already been reversed."),
        "webhook_address_blocked": lambda: _("Webhooks may not be sent to this address."),
        "subscription_not_found": lambda: _("No such subscription."),
    }
    text = texts.get(error.error)
    return text() if text else error.message
