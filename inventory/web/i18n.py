"""Languages: Indonesian by default, English on request, remembered in the session.

The catalogues are kept as .po files in translations/ and compiled to .mo when the app
starts (only where a .mo is missing or older than its .po), so a fresh checkout runs
with no build step; `make translations` re-extracts the messages after a change.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, session
from flask_babel import Babel

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

log = logging.getLogger(__name__)


def current_language() -> str:
    # A public page names its language in its address (?lang=), so that it can be cached:
    # it then neither reads nor writes the session.
    if "page_language" in g:
        return g.page_language
    language = session.get("lang")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Write each stale .mo next to its .po (atomically); returns the files written."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            fd, tmp = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as mo_file:
                write_mo(mo_file, catalog)
            os.replace(tmp, mo_path)
            written.append(mo_path)
        except OSError as error:  # a read-only install: run `make translations` at build time
            log.warning("Could not compile %s: %s", po_path, error)
    return written


def init_app(app: Flask) -> None:
    compile_catalogs()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=current_language)
