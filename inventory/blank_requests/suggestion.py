"""What the projection says a request should ask for, so a manager starts from the numbers."""

from __future__ import annotations

from ..offices.models import Office
from ..planning.figures import OfficeFigures, figures_for


def suggested_quantity(office: Office) -> int:
    return figures_for([office.id])[0].projection.suggested_order


def suggestion(office: Office) -> dict:
    """The quantity and a justification (in Indonesian, as the letter is) from the projection."""
    figures = figures_for([office.id])[0]
    return {
        "office": office.code,
        "supplier": office.parent.code if office.parent else None,
        "quantity": figures.projection.suggested_order,
        "justification": justification(figures),
        "figures": position(figures),
    }


def position(figures: OfficeFigures) -> dict:
    """The requester's figures an approver weighs a request against."""
    projection = figures.projection
    return {
        "on_hand": figures.inputs.on_hand,
        "in_transit_in": figures.inputs.in_transit_in,
        "shortfall": projection.shortfall,
        "suggested_order": projection.suggested_order,
        "days_of_cover": projection.days_of_cover,
        "average_daily_use": projection.average_daily_use,
        "unrecorded": projection.unrecorded,
        "target_date": figures.target_date,
    }


def justification(figures: OfficeFigures) -> str:
    projection = figures.projection
    parts = [f"Proyeksi kekurangan {_n(projection.shortfall)} blangko"]
    if projection.days_of_cover is not None:
        parts.append(f"stok cukup untuk {projection.days_of_cover:g} hari")
    parts.append(f"{_n(projection.unrecorded)} penduduk belum rekam")
    if figures.target_date is not None:
        parts.append(f"target {figures.target_date.isoformat()}")
    return "; ".join(parts) + "."


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # Indonesian thousands: 1.442
