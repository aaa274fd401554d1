"""Browser tests: Debian's Chromium, driven by Playwright, against the app on a real WSGI server.

No browser is downloaded: Playwright launches /usr/bin/chromium (`apt-get install chromium`).
Where it is missing, every test here is skipped and the summary says so.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from inventory import create_app
from inventory.core.db import db

CHROMIUM = Path(os.environ.get("BLANGKO_CHROMIUM", "/usr/bin/chromium"))  # Debian's package
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    return None


SKIP_REASON = skip_reason()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=f"Browser tests skipped: {SKIP_REASON}")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(marker)


def pytest_terminal_summary(terminalreporter):
    if SKIP_REASON is not None:
        terminalreporter.write_line(f"Browser tests: skipped ({SKIP_REASON})")
    else:
        terminalreporter.write_line(f"Browser tests: Chromium at {CHROMIUM}; screenshots in {SCREENSHOTS}")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The demo (`make run`'s seed) on a SQLite file, served by werkzeug in a thread."""
    from inventory.demo import seed_demo

    folder = tmp_path_factory.mktemp("browser")
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'demo.sqlite3'}")
    app.instance_path = str(folder / "instance")
    with app.app_context():
        db.create_all()
        tokens = seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    DEMO_TOKENS[url] = tokens
    yield url
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


DEMO_TOKENS: dict[str, dict[str, str]] = {}


@pytest.fixture
def demo_tokens(live_server) -> dict[str, str]:
    """The API token of each demo user on this module's server."""
    return DEMO_TOKENS[live_server]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
