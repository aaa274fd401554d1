"""Demo data for `make run`: Kotawaringin Timur (62.02), its districts, stock and one user per role."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from . import ledger, offices, stock
from .auth import issue_token
from .db import db
from .models import User, utcnow
from .permissions import Principal
from .regions import import_regions

DEMO_REGENCY = "62.02"
DEMO_DISTRICT = "62.02.05"  # Baamang
DEMO_MOBILE = "62.02-JB1"
DEMO_USERS = (
    ("admin", "admin", None),
    ("manager", "manager", DEMO_REGENCY),
    ("warehouse", "warehouse", DEMO_REGENCY),
    ("operator", "operator", DEMO_REGENCY),
)


def tokens_file() -> Path:
    return Path(current_app.instance_path) / "demo-tokens.txt"


@click.command("seed")
def seed_command() -> None:
    """Load the demo once; prints where the demo tokens are."""
    if db.session.execute(select(User.id).limit(1)).first():
        click.echo(f"Demo data already present; tokens are in {tokens_file()}")
        return
    tokens = seed_demo()
    db.session.commit()
    lines = [f"{name:<10} {token}" for name, token in tokens.items()]
    tokens_file().write_text(
        "# Demo API tokens (user, token). Keep this file private.\n" + "\n".join(lines) + "\n"
    )
    click.echo(f"Demo data loaded. Tokens saved in {tokens_file()}:")
    for line in lines:
        click.echo("  " + line)


def seed_demo() -> dict[str, str]:
    import_regions(DEMO_REGENCY)
    offices.create(DEMO_MOBILE, "Jemput bola Kotim 1", "mobile", DEMO_REGENCY)
    tokens, principals = {}, {}
    for name, role, office_code in DEMO_USERS:
        office = offices.get_by_code(office_code) if office_code else None
        user = User(name=name, role=role, office=office, active=True)
        db.session.add(user)
        db.session.flush()
        tokens[name] = issue_token(user)
        principals[role] = Principal(
            user.id,
            name,
            role,
            user.office_id,
            office.code if office else None,
            office.path if office else None,
        )
    _demo_movements(principals)
    return tokens


def _demo_movements(users: dict[str, Principal]) -> None:
    regency = _ref(DEMO_REGENCY)
    district = _ref(DEMO_DISTRICT)
    start = utcnow() - timedelta(days=14)
    stock.receive(
        regency,
        users["warehouse"],
        5000,
        received_at=start,
        document_no="BAST-2023-117",
        batch_no="PURA-2023-08",
        note="Tranche from Ditjen Dukcapil",
    )
    transfer = stock.dispatch(regency, district, users["warehouse"], 300, "Stock for Baamang")
    stock.receive_transfer(transfer["id"], users["warehouse"])
    reasons = ("new_record", "new_record", "replacement", "data_change")
    for day in range(14):
        for n in range(12):
            outcome = "spoiled" if n == 11 and day % 3 == 0 else "printed"
            stock.consume(
                regency,
                users["operator"],
                outcome=outcome,
                reason=reasons[n % 4],
                printed_at=start + timedelta(days=day, hours=1 + n // 2),
            )


def _ref(code: str) -> ledger.OfficeRef:
    office = offices.get_by_code(code)
    return ledger.OfficeRef.of(office)
