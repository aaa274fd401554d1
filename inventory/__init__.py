"""Blangko: inventory of blank E-KTP cards for Indonesia's civil-registry offices."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request, send_from_directory
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from .core import bus, headers, outage
from .core.db import db, init_db
from .core.parsing import init_parsing

migrate = Migrate(render_as_batch=True, compare_type=True)


def create_app(config: object | str = "config.Config", **overrides) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides)
    _refuse_development_key(app)
    # Owner only: it holds the SQLite file, the demo's tokens and `make run`'s key.
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    app.json.sort_keys = False

    if app.config.get("TRUSTED_PROXIES"):
        # Behind nginx: the client's address (log-in limits) and scheme come from its headers.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
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
    headers.install(app)
    _serve_swagger_assets(app)
    init_api(app)
    init_web(app)
    register_cli(app)
    return app


def _refuse_development_key(app: Flask) -> None:
    """Whoever knows SECRET_KEY can forge a dashboard session: the published development
    key is for a debugging session (FLASK_DEBUG) or the tests only."""
    development = app.config.get("SECRET_KEY") in (None, "", app.config.get("DEVELOPMENT_SECRET_KEY"))
    if development and not (app.debug or app.testing):
        raise RuntimeError(
            "SECRET_KEY is not set (or is the development key). Set it, e.g. "
            "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'), "
            "or name a file holding it in SECRET_KEY_FILE; `make run` keeps one in "
            "instance/secret-key. FLASK_DEBUG=1 allows the development key."
        )


def _serve_swagger_assets(app: Flask) -> None:
    """Swagger UI from the installed swagger-ui-bundle, so /docs works on an offline network."""
    import swagger_ui_bundle

    if not app.config.get("OPENAPI_SWAGGER_UI_URL"):
        app.config["OPENAPI_SWAGGER_UI_URL"] = "/docs/assets/"

    @app.get("/docs/assets/<path:filename>")
    def swagger_asset(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    # Registered after headers.install, so it runs first: /docs gets its own policy. Swagger UI
    # starts from one inline script (allowed by its hash, nothing else inline runs) and styles
    # its widgets with style attributes.
    @app.after_request
    def _docs_policy(response: Response) -> Response:
        if request.endpoint == "api-docs.openapi_swagger_ui" and response.status_code == 200:
            scripts = " ".join(["'self'", *headers.inline_script_hashes(response.get_data(as_text=True))])
            response.headers["Content-Security-Policy"] = (
                f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
            )
        return response
