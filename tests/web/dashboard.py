"""A person at the dashboard through Flask's test client: a cookie jar posting forms with their CSRF token."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from inventory.auth.models import User
from inventory.core.db import db

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')


class Browser:
    """One person's cookie jar, with the CSRF token of the last page read."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.token = ""

    def get(self, path, **kwargs):
        response = self.client.get(path, **kwargs)
        found = TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token or self._fresh_token())
        return self.client.post(path, data=data, **kwargs)

    def _fresh_token(self) -> str:
        self.get("/login")
        return self.token

    def login(self, name, password=None):
        self.get("/login")
        response = self.post("/login", {"username": name, "password": password or f"pw-{name}"})
        self.get("/")
        return response

    def text(self, path) -> str:
        return self.get(path).get_data(as_text=True)


def set_password(app, name: str, password: str | None = None) -> None:
    with app.app_context():
        user = db.session.execute(select(User).where(User.name == name)).scalar_one()
        user.password_hash = generate_password_hash(password or f"pw-{name}", method="pbkdf2:sha256:1000")
        db.session.commit()


def browser(api, name=None) -> Browser:
    b = Browser(api.app)
    if name:
        assert b.login(name).status_code == 302
    return b
