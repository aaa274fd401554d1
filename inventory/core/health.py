"""Liveness and readiness probes; no token, no secrets in the answer."""

from flask import Blueprint
from sqlalchemy import text

from .db import db
from .outage import retry_after_header

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready"; the probe must not 500
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503, retry_after_header()
    return {"status": "ok", "database": "reachable"}
