"""Demo data for `make run`: Kotawaringin Timur (62.02), its districts, stock and one user per role."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .auth.models import User
from .auth.tokens import issue_token
from .core.db import db, utcnow
from .core.principal import Principal
from .offices import tree
from .offices.regions import import_regions
from .planning import population
from .stock import service as stock

DEMO_REGENCY = "62.02"
DEMO_DISTRICT = "62.02.05"  # Baamang
DEMO_MOBILE = "62.02-JB1"
# In November 2023 Kotim had 78 days until election day (14 February 2024) to put a card in
# every recorded hand; the demo keeps that distance from today so its dates never go stale.
# Four printers of ~100 cards a day.
DAYS_TO_ELECTION = 78


def demo_settings() -> dict:
    return {
        "target_date": utcnow().date() + timedelta(days=DAYS_TO_ELECTION),
        "lead_time_days": 14,
        "safety_days": 7,
        "print_capacity_per_day": 400,
    }


DEMO_USERS = (
    ("admin", "admin", None),
    ("manager", "manager", DEMO_REGENCY),
    ("warehouse", "warehouse", DEMO_REGENCY),
    ("operator", "operator", DEMO_REGENCY),
)


def demo_password(name: str) -> str:
    """The dashboard password of a demo user: demo-admin, demo-manager, demo-warehouse, demo-operator."""
    return f"demo-{name}"


def tokens_file() -> Path:
    return Path(current_app.instance_path) / "demo-tokens.txt"


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read, from its first byte on."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file keeps its mode through O_CREAT: narrow it too
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


@click.command("seed")
def seed_command() -> None:
    """Load the demo once; prints where the demo tokens are."""
    if db.session.execute(select(User.id).limit(1)).first():
        click.echo(f"Demo data already present; tokens are in {tokens_file()}")
        return
    tokens = seed_demo()
    db.session.commit()
    lines = [f"{name:<10} {token}  {demo_password(name)}" for name, token in tokens.items()]
    write_private(
        tokens_file(),
        "# Demo users: name, API token, dashboard password. Keep this file private.\n"
        + "\n".join(lines)
        + "\n",
    )
    click.echo(f"Demo data loaded. Dashboard logins and API tokens saved in {tokens_file()}:")
    for line in lines:
        click.echo("  " + line)


def seed_demo() -> dict[str, str]:
    import_regions(DEMO_REGENCY)
    tree.create(DEMO_MOBILE, "Jemput bola Kotim 1", "mobile", DEMO_REGENCY)
    tokens, principals = {}, {}
    for name, role, office_code in DEMO_USERS:
        office = tree.get_by_code(office_code) if office_code else None
        user = User(name=name, role=role, office=office, active=True)
        user.password_hash = generate_password_hash(demo_password(name))
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
    stock.settle_within_transaction()  # ancestors' figures, which a request settles after its answer
    _demo_planning()  # last: its alert evaluation then sees the demo stock as it ends up
    return tokens


def _demo_planning() -> None:
    """District figures (the regency takes their sum, 310,785 wajib KTP) and the regency's settings."""
    report = population.import_csv(population.SAMPLE_CSV)
    if not report.ok:
        raise click.ClickException("\n".join(str(error) for error in report.errors))
    tree.update(tree.get_by_code(DEMO_REGENCY), demo_settings())


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


def _ref(code: str) -> tree.OfficeRef:
    office = tree.get_by_code(code)
    return tree.OfficeRef.of(office)
