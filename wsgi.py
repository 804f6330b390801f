"""WSGI entry point: ``gunicorn wsgi:app``."""

from buddy import create_app

app = create_app()
