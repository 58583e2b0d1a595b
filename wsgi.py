"""The WSGI entry point for gunicorn: ``gunicorn wsgi:app``.

Production settings unless ``ADVOCACY_CONFIG`` says otherwise: they refuse to start without
SECRET_KEY, DATABASE_URL and SERVER_NAME, so a forgotten variable is an error, not a
development server on the internet.
"""

import os

from advocacy import create_app

app = create_app(os.environ.get("ADVOCACY_CONFIG") or "production")
