"""What both phases start from: the Kotawaringin Timur tree, three users with tokens, stock.

Built with the app's own services (the same ones the CLI and the seed use), in this
process, on the freshly migrated database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask

from inventory import create_app
from inventory.auth.accounts import hash_password
from inventory.auth.models import User
from inventory.auth.tokens import issue_token
from inventory.core.db import db
from inventory.core.principal import Principal
from inventory.offices import tree as offices
from inventory.offices.regions import import_regions
from inventory.offices.tree import OfficeRef
from inventory.stock import service as stock

REGENCY = "62.02"  # Kotawaringin Timur
PRINT_OFFICE = "62.02.05"  # Baamang district: prints go up a four-office path to the root
LEDGER_OFFICE = "62.02.06"


@dataclass(frozen=True)
class Fixture:
    print_office: OfficeRef
    ledger_office: OfficeRef
    operator_id: int
    operator_token: str  # prints at PRINT_OFFICE
    warehouse_id: int
    manager_token: str  # reads the whole regency
    manager_name: str  # and logs in to the dashboard with this name and password
    manager_password: str


@contextmanager
def app_for(url: str) -> Iterator[Flask]:
    """The real app on `url`, with an app context, its engine disposed afterwards."""
    app = create_app("config.Config", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def prepare(url: str, blanks: int) -> Fixture:
    """Offices, an operator, a warehouse keeper and a manager (who may also log in to the
    dashboard), and `blanks` delivered to PRINT_OFFICE."""
    with app_for(url):
        import_regions(REGENCY)
        users = {
            role: _user(role, office_code)
            for role, office_code in (
                ("operator", PRINT_OFFICE),
                ("warehouse", REGENCY),
                ("manager", REGENCY),
            )
        }
        tokens = {role: issue_token(user) for role, user in users.items()}
        password = secrets.token_urlsafe(18)
        users["manager"].password_hash = hash_password(password, users["manager"].name)
        print_office = _ref(PRINT_OFFICE)
        if blanks:
            warehouse = users["warehouse"]
            regency = _ref(REGENCY)
            actor = Principal(
                warehouse.id, warehouse.name, "warehouse", regency.id, regency.code, regency.path
            )
            stock.receive(print_office, actor, blanks, document_no="BENCH")
            stock.settle_within_transaction()  # the ancestors' share, as a request's settler would
        db.session.commit()
        return Fixture(
            print_office=print_office,
            ledger_office=_ref(LEDGER_OFFICE),
            operator_id=users["operator"].id,
            operator_token=tokens["operator"],
            warehouse_id=users["warehouse"].id,
            manager_token=tokens["manager"],
            manager_name=users["manager"].name,
            manager_password=password,
        )


def _user(role: str, office_code: str) -> User:
    user = User(name=f"bench-{role}", role=role, office=offices.get_by_code(office_code), active=True)
    db.session.add(user)
    db.session.flush()
    return user


def _ref(code: str) -> OfficeRef:
    return OfficeRef.of(offices.get_by_code(code))
