"""Berita acara pemusnahan: the record of cards awaiting destruction being destroyed.

A record starts as a draft (editable, deletable). Signing takes its counts out of the office's
custody (guarded like stock: never more than it holds, 409 insufficient_custody) and freezes
it; the signed paper's scan is attached after (PDF, JPEG or PNG, by their first bytes, with
its SHA-256), then it is reported to the province. A signed record is never edited: a
mistake is corrected by a reversal record naming it, which puts the cards back. The serials a
record names are linked to their spoiled blanks when it is signed, and unlinked by its reversal
(destruction_serials.py), so GET /serials/{serial} names the record that burned a blank.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..auth.models import User
from ..core.db import db, utcnow
from ..core.errors import Conflict, Invalid, NotFound
from ..core.principal import Principal
from ..offices.models import Office
from ..offices.tree import OfficeRef
from . import custody, destruction_serials
from .models import CUSTODY_CATEGORIES, Destruction

D = Destruction.__table__
EDITABLE = ("document_no", "destroyed_on", "place", "method", "witnesses", "counts", "serials", "note")

# What a scan may be, told by its first bytes (a declared Content-Type alone proves nothing).
SCAN_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class ScanRefused(Invalid):
    status = 415
    error = "unsupported_scan_type"


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    values = {key: value for key, value in fields.items() if key != "counts"}
    if "counts" in fields:
        values.update({category: fields["counts"].get(category, 0) for category in CUSTODY_CATEGORIES})
    return values


def draft(office: OfficeRef, actor: Principal, fields: dict[str, Any]) -> dict:
    now = utcnow()
    values = {
        "office_id": office.id,
        "status": "draft",
        "serials": [],
        "note": None,
        "created_by_id": actor.user_id,
        "created_at": now,
        "updated_at": now,
        **_columns(fields),
    }
    return _checked(db.session.execute(insert(D).values(values).returning(D.c.id)).scalar_one())


def _checked(destruction_id: int) -> dict:
    """The record as it now stands, refused (422, rolled back) if it names more serials than
    spoiled prints: a draft may change its counts and its serials in separate edits."""
    record = get(destruction_id)
    destruction_serials.check_count(record["serials"], record["spoiled_print"])
    return record


def edit(destruction_id: int, fields: dict[str, Any]) -> dict:
    """Change a draft; a signed record is frozen (409)."""
    changed = db.session.execute(
        update(D)
        .where(D.c.id == destruction_id, D.c.status == "draft")
        .values(updated_at=utcnow(), **_columns(fields))
        .returning(D.c.id)
    ).first()
    if changed is None:
        _refuse_not_draft(destruction_id, "edited")
    return _checked(destruction_id)


def discard(destruction_id: int) -> None:
    if not db.session.execute(delete(D).where(D.c.id == destruction_id, D.c.status == "draft")).rowcount:
        _refuse_not_draft(destruction_id, "deleted")


def _refuse_not_draft(destruction_id: int, verb: str):
    status = get(destruction_id)["status"]
    raise Conflict(
        f"Destruction {destruction_id} is {status}: a signed record is never {verb}; "
        "correct it by a reversal.",
        error="destruction_not_draft",
        status=status,
    )


def sign(destruction_id: int, actor: Principal) -> dict:
    """Take the record's cards out of custody and freeze it, exactly once even when two sign at once;
    the serials it names are linked to their blanks (destruction_serials.py)."""
    now = utcnow()
    signed = db.session.execute(
        update(D)
        .where(D.c.id == destruction_id, D.c.status == "draft")
        .values(status="signed", signed_by_id=actor.user_id, signed_at=now, updated_at=now)
        .returning(D.c.office_id, D.c.serials, *(D.c[c] for c in CUSTODY_CATEGORIES))
    ).first()
    if signed is None:
        _refuse_not_draft(destruction_id, "signed again")
    office_code, office_path = db.session.execute(
        select(Office.code, Office.path).where(Office.id == signed.office_id)
    ).one()
    if signed.serials:  # ranges before custody rows: the lock order of a spoiled print
        destruction_serials.check_count(signed.serials, signed.spoiled_print)
        office = OfficeRef(signed.office_id, office_code, office_path)
        destruction_serials.link(destruction_id, office, signed.serials)
    custody.lock(signed.office_id)
    for category in CUSTODY_CATEGORIES:  # in the lock order: (office, category)
        quantity = getattr(signed, category)
        if quantity:
            custody.take(signed.office_id, category, quantity, office_code=office_code)
            custody.record(
                signed.office_id, actor, category, "destroyed", -quantity, destruction_id=destruction_id
            )
    custody.changed(signed.office_id)
    return get(destruction_id)


def reverse(destruction_id: int, actor: Principal, reason: str) -> dict:
    """A signed record was wrong: a reversal record names it and puts its cards back into custody."""
    original = get(destruction_id)
    if original["status"] == "draft":
        raise Conflict("A draft is edited or deleted, not reversed.", error="destruction_not_signed")
    if original["reversal_of"] is not None:
        raise Conflict("A reversal cannot be reversed.", error="not_reversible")
    now = utcnow()
    copied = {
        key: original[key]
        for key in (
            "office_id",
            "document_no",
            "destroyed_on",
            "place",
            "method",
            "witnesses",
            "serials",
            *CUSTODY_CATEGORIES,
        )
    }
    try:
        with db.session.begin_nested():
            reversal_id = db.session.execute(
                insert(D)
                .values(
                    **copied,
                    status="signed",
                    note=reason,
                    reversal_of=destruction_id,
                    created_by_id=actor.user_id,
                    created_at=now,
                    updated_at=now,
                    signed_by_id=actor.user_id,
                    signed_at=now,
                )
                .returning(D.c.id)
            ).scalar_one()
    except IntegrityError:
        raise Conflict(
            f"Destruction {destruction_id} has already been reversed.", error="already_reversed"
        ) from None
    destruction_serials.unlink(destruction_id, reversal_id)  # ranges before custody rows
    custody.lock(original["office_id"])
    for category in CUSTODY_CATEGORIES:
        quantity = original[category]
        if quantity:
            custody.add(original["office_id"], category, quantity)
            custody.record(
                original["office_id"],
                actor,
                category,
                "reversal",
                quantity,
                destruction_id=reversal_id,
                note=reason,
            )
    custody.changed(original["office_id"])
    return get(reversal_id)


def attach_scan(destruction_id: int, content: bytes, declared_type: str | None) -> dict:
    """The signed paper, scanned, with its SHA-256: attached once (the same bytes again change nothing)."""
    if not content:
        raise Invalid("The scan is empty.", error="empty_scan", field="scan")
    content_type = next((kind for magic, kind in SCAN_TYPES.items() if content.startswith(magic)), None)
    declared = (declared_type or "").split(";")[0].strip().lower()
    if content_type is None or declared != content_type:
        found = content_type or "unrecognised"
        raise ScanRefused(
            "A scan is a PDF, JPEG or PNG, sent with its own Content-Type "
            f"(got {declared or 'none'}, content {found}).",
            field="scan",
        )
    digest = hashlib.sha256(content).hexdigest()
    record = get(destruction_id)
    if record["status"] == "draft":
        raise Conflict("Sign the record before attaching its signed scan.", error="destruction_not_signed")
    if record["scan_sha256"] is not None:
        if record["scan_sha256"] == digest:
            return record
        raise Conflict(
            "A different scan is already attached; a signed record is never changed.",
            error="scan_already_attached",
        )
    stored = db.session.execute(
        update(D)
        .where(D.c.id == destruction_id, D.c.scan_sha256.is_(None))
        .values(
            scan=content,
            scan_sha256=digest,
            scan_content_type=content_type,
            scan_size=len(content),
            scan_uploaded_at=utcnow(),
        )
        .returning(D.c.id)
    ).first()
    if stored is None:
        raise Conflict("A scan was attached meanwhile.", error="scan_already_attached")
    return get(destruction_id)


def report(destruction_id: int, actor: Principal) -> dict:
    """Sent to the province: a signed record with its scan."""
    record = get(destruction_id)
    if record["status"] != "signed":
        raise Conflict(
            f"Destruction {destruction_id} is {record['status']}; only a signed one is reported.",
            error="destruction_not_signed",
            status=record["status"],
        )
    if record["scan_sha256"] is None:
        raise Conflict("Attach the signed scan before reporting.", error="scan_missing")
    now = utcnow()
    reported = db.session.execute(
        update(D)
        .where(D.c.id == destruction_id, D.c.status == "signed")
        .values(status="reported", reported_by_id=actor.user_id, reported_at=now, updated_at=now)
        .returning(D.c.id)
    ).first()
    if reported is None:
        raise Conflict(
            f"Destruction {destruction_id} was reported meanwhile.", error="destruction_not_signed"
        )
    return get(destruction_id)


# --- reading ----------------------------------------------------------------------------

_creator, _signer, _reporter = (User.__table__.alias(name) for name in ("creator", "signer", "reporter"))
_READ = (
    select(
        *(column for column in D.c if column.key != "scan"),
        Office.code.label("office"),
        Office.path.label("office_path"),
        _creator.c.name.label("created_by"),
        _signer.c.name.label("signed_by"),
        _reporter.c.name.label("reported_by"),
    )
    .join(Office, Office.id == D.c.office_id)
    .join(_creator, _creator.c.id == D.c.created_by_id)
    .outerjoin(_signer, _signer.c.id == D.c.signed_by_id)
    .outerjoin(_reporter, _reporter.c.id == D.c.reported_by_id)
)


def _out(row) -> dict:
    out = dict(row._mapping)
    out["counts"] = {category: out[category] for category in CUSTODY_CATEGORIES}
    out["total"] = sum(out["counts"].values())
    return out


def get(destruction_id: int) -> dict:
    row = db.session.execute(_READ.where(D.c.id == destruction_id)).first()
    if row is None:
        raise NotFound(f"No destruction {destruction_id}.")
    return _out(row)


def list_for(office: OfficeRef, *, status: str | None = None, before_id: int | None = None, limit: int = 50):
    stmt = _READ.where(D.c.office_id == office.id).order_by(D.c.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(D.c.status == status)
    if before_id is not None:
        stmt = stmt.where(D.c.id < before_id)
    return [_out(row) for row in db.session.execute(stmt)]


def scan_of(destruction_id: int) -> tuple[bytes, str]:
    row = db.session.execute(select(D.c.scan, D.c.scan_content_type).where(D.c.id == destruction_id)).first()
    if row is None or row.scan is None:
        raise NotFound(f"Destruction {destruction_id} has no scan.", error="scan_missing")
    return row.scan, row.scan_content_type
