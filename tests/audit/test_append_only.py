"""The audit log is append-only in the database itself: an UPDATE or DELETE of an entry fails,
whether the schema came from the models (here) or from the migrations (tests/core/test_migrations.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from inventory.core.db import db
from tests.helpers import ok


def test_an_entry_can_be_neither_changed_nor_deleted(api):
    entry = ok(api.get("/audit", query_string={"limit": 1}, as_="admin"))["items"][0]

    with api.app.app_context():
        for statement in (
            "UPDATE audit_log SET actor = 'someone else' WHERE id = :id",
            "DELETE FROM audit_log WHERE id = :id",
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text(statement), {"id": entry["id"]})
            db.session.rollback()

    assert ok(api.get("/audit", query_string={"limit": 1}, as_="admin"))["items"][0] == entry
