"""What every dashboard template can use: labels, number formats, the language and log-out forms."""

from __future__ import annotations

from flask import request
from flask_babel import format_decimal, format_percent

from . import labels
from .blueprint import bp
from .forms import LanguageForm, PostForm
from .i18n import LANGUAGES, current_language


@bp.context_processor
def _shared() -> dict:
    return {
        "labels": labels,
        "languages": LANGUAGES,
        "language": current_language(),
        # Back to the same page after switching; a page answering a POST has no address to return to.
        "language_form": LanguageForm(
            formdata=None, next=request.full_path.rstrip("?") if request.method == "GET" else ""
        ),
        "logout_form": PostForm(formdata=None),
        "alert_text": labels.alert_text,
    }


@bp.app_template_filter("num")
def _number(value) -> str:
    return labels.number(value)


@bp.app_template_filter("day")
def _day(value) -> str:
    return labels.day(value)


@bp.app_template_filter("moment")
def _moment(value, time_zone: str | None = None) -> str:
    """A moment on the office's clock with its zone ("3 Des 2026 06.30 WIB"); UTC without an office."""
    return labels.moment(value, time_zone)


@bp.app_template_filter("percent")
def _percent(value) -> str:
    """A percentage figure (97.3 -> "97,3 %" in Indonesian)."""
    return labels.NONE if value is None else format_decimal(value, "#,##0.#") + " %"


@bp.app_template_filter("rate")
def _rate(value) -> str:
    """A fraction (0.027 -> "2,7%")."""
    return labels.NONE if value is None else format_percent(value, "#,##0.#%")
