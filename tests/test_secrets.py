"""Secrets: the app refuses the published development key, and the files holding secrets
(the SQLite file, the demo's tokens, `make run`'s key) are readable by their owner only.

Database-independent (the key) or about SQLite's file itself: SQLite only, no `backend`.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import config
from inventory import create_app
from inventory.core.db import db

ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "FLASK_DEBUG")}
    return env | extra


@pytest.mark.parametrize("key", [config.DEVELOPMENT_SECRET_KEY, ""])
def test_the_app_refuses_the_development_key(tmp_path, monkeypatch, key):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app("config.Config", SECRET_KEY=key, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}")


def test_flask_debug_allows_the_development_key(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(
        "config.Config",
        SECRET_KEY=config.DEVELOPMENT_SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}",
    )
    assert app.debug


def test_the_server_does_not_start_without_a_key(tmp_path):
    """What gunicorn and `flask` do: import wsgi."""
    command = [sys.executable, "-c", "import wsgi"]
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    refused = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "SECRET_KEY is not set" in refused.stderr

    key_file = tmp_path / "secret-key"
    key_file.write_text("0123456789abcdef" * 4 + "\n")
    for extra in ({"SECRET_KEY": "a-real-key-from-the-environment"}, {"SECRET_KEY_FILE": str(key_file)},
                  {"FLASK_DEBUG": "1"}):  # fmt: skip
        ok = env | extra
        started = subprocess.run(command, cwd=ROOT, env=ok, capture_output=True, text=True, timeout=60)
        assert started.returncode == 0, started.stderr


def test_where_the_key_comes_from(tmp_path):
    key_file = tmp_path / "secret-key"
    key_file.write_text("from-the-file\n")
    assert config.secret_key({"SECRET_KEY": "from-env", "SECRET_KEY_FILE": str(key_file)}) == "from-env"
    assert config.secret_key({"SECRET_KEY_FILE": str(key_file)}) == "from-the-file"
    assert config.secret_key({"SECRET_KEY_FILE": str(tmp_path / "missing")}) == config.DEVELOPMENT_SECRET_KEY
    assert config.secret_key({}) == config.DEVELOPMENT_SECRET_KEY


def test_the_sqlite_file_is_the_owners_only(tmp_path):
    database = tmp_path / "data" / "blangko.sqlite3"
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    with app.app_context():
        db.create_all()  # writes, so SQLite opens its -wal and -shm files
        assert mode(database) == 0o600
        assert mode(Path(f"{database}-wal")) == 0o600
        db.engine.dispose()


def test_the_demo_tokens_file_is_the_owners_only(tmp_path):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    app.instance_path = str(tmp_path)
    tokens = tmp_path / "demo-tokens.txt"
    tokens.write_text("an older copy, readable by all\n")
    tokens.chmod(0o644)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed"])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert mode(tokens) == 0o600
    assert "manager" in tokens.read_text() and "readable by all" not in tokens.read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_keeps_a_random_key_for_the_demo(tmp_path):
    make = ["make", "-s", "-C", str(tmp_path), "-f", str(ROOT / "Makefile"), "instance/secret-key"]
    make.append(f"PYTHON={sys.executable}")
    subprocess.run(make, check=True, capture_output=True, timeout=60)
    key_file = tmp_path / "instance" / "secret-key"
    key = key_file.read_text().strip()
    assert len(key) == 64 and int(key, 16) and key != config.DEVELOPMENT_SECRET_KEY
    assert mode(key_file) == 0o600 and mode(key_file.parent) == 0o700

    subprocess.run(make, check=True, capture_output=True, timeout=60)
    assert key_file.read_text().strip() == key  # kept: sessions and webhook secrets outlive a restart
