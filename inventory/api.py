"""HTTP API under /api/v1: every capability's blueprints, each route behind a bearer token."""

from __future__ import annotations

from flask import Flask

from .auth import api as users_api
from .auth.tokens import authenticate
from .blank_requests import api as requests_api
from .core import health
from .core.http import Api
from .core.unit_of_work import read_before_writing
from .notify import api as notify_api
from .planning import api as planning_api
from .reports import api as reports_api
from .reports import requests_report
from .stock import api as stock_api
from .stock import custody_api, offices_api

API_BLUEPRINTS = (
    offices_api.blp,
    stock_api.blp,
    stock_api.transfers_blp,
    stock_api.serials_blp,
    custody_api.blp,
    planning_api.alerts_blp,
    planning_api.redistribution_blp,
    planning_api.blp,
    reports_api.blp,
    notify_api.blp,
    notify_api.notifications_blp,
    requests_api.blp,
    requests_report.blp,
    users_api.blp,
    users_api.audit_blp,
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
