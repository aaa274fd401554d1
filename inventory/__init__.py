"""Blangko: inventory of blank E-KTP cards for Indonesia's civil-registry offices."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory
from flask_migrate import Migrate

from .core import bus, outage
from .core.db import db, init_db
from .core.parsing import init_parsing

migrate = Migrate(render_as_batch=True, compare_type=True)


def create_app(config: object | str = "config.Config", **overrides) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.json.sort_keys = False

    init_db(app)
    init_parsing(app)  # the id converters, before any blueprint's rules are read
    outage.init_app(app)
    migrations = Path(__file__).resolve().parent.parent / "migrations"
    migrate.init_app(app, db, directory=str(migrations))

    from .api import init_api
    from .cli import register_cli
    from .handlers import HANDLERS
    from .web import init_web

    bus.install(HANDLERS)
    _serve_swagger_assets(app)
    init_api(app)
    init_web(app)
    register_cli(app)
    return app


def _serve_swagger_assets(app: Flask) -> None:
    """Swagger UI from the installed swagger-ui-bundle, so /docs works on an offline network."""
    import swagger_ui_bundle

    if not app.config.get("OPENAPI_SWAGGER_UI_URL"):
        app.config["OPENAPI_SWAGGER_UI_URL"] = "/docs/assets/"

    @app.get("/docs/assets/<path:filename>")
    def swagger_asset(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)
