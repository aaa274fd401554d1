"""HTTP API under /api/v1: blueprints parse, authorise, call one service function, serialise."""

from __future__ import annotations

from flask import Flask

from ..auth import authenticate
from ..errors import Api
from . import alerts, health, offices, planning, redistribution, reports, stock, subscriptions, transfers
from .transaction import read_before_writing

API_BLUEPRINTS = (
    offices.blp,
    stock.blp,
    transfers.blp,
    alerts.blp,
    redistribution.blp,
    planning.blp,
    reports.blp,
    subscriptions.blp,
    subscriptions.notifications_blp,
)

# Every /api/v1 route needs a token. Hooked once, at import: blueprints are shared by apps.
# read_before_writing runs first: it decides how the token lookup's transaction begins.
for _blueprint in API_BLUEPRINTS:
    _blueprint.before_request(read_before_writing)
    _blueprint.before_request(authenticate)


def init_api(app: Flask) -> Api:
    api = Api(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix="/api/v1")
    app.register_blueprint(health.bp)
    return api
