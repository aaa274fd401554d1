"""Entry point: `gunicorn wsgi:app` in production, `flask --app wsgi ...` for the CLI."""

from inventory import create_app

app = create_app()
