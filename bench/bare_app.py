"""The baseline for the benchmark: the smallest useful Flask app.

One route that returns a small HTML page, no database, no session, no templates. It is
served by ``bench/run.py`` with exactly the same gunicorn settings as the real app, so the
ratio "app requests per second / bare requests per second" measures what the app itself
costs on this machine, independent of how fast the machine is.
"""

from flask import Flask

app = Flask(__name__)

PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare</title></head>'
    "<body><h1>Hello</h1><p>A bare Flask page for the benchmark baseline.</p></body></html>"
)


@app.get("/")
def index() -> str:
    return PAGE
