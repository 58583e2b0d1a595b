"""Calibration handlers for the benchmark: what "a page that queries PostgreSQL on every
view" and "a minimal insert-and-count handler" reach on this machine.

Not part of the targets; ``bench/run.py --calibrate`` measures them with the same gunicorn
settings so the ratios in docs/BENCHMARKS.md can be compared with the issue's reference
points (about 25 % and 13 % of the bare app).
"""

import os
import re

from flask import Flask, request
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(
    re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", os.environ["DATABASE_URL"]),
    pool_pre_ping=True,
)


@app.get("/query/<slug>")
def query(slug: str):
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT title, signature_count FROM petitions WHERE slug = :s"), {"s": slug}
        ).one()
    return f"<!doctype html><title>{row.title}</title><p>{row.signature_count} signatures</p>"


@app.post("/sign/<slug>")
def sign(slug: str):
    with engine.begin() as conn:
        pid = conn.execute(text("SELECT id FROM petitions WHERE slug = :s"), {"s": slug}).scalar()
        conn.execute(
            text(
                "INSERT INTO signatures (petition_id, first_name, last_name, email, zip, public,"
                " opt_in, created_at) VALUES (:p, :f, :l, :e, :z, true, false, now())"
                " ON CONFLICT (petition_id, email) DO NOTHING"
            ),
            {
                "p": pid,
                "f": request.form["first_name"],
                "l": request.form["last_name"],
                "e": request.form["email"],
                "z": request.form["zip"],
            },
        )
        count = conn.execute(
            text("SELECT count(*) FROM signatures WHERE petition_id = :p"), {"p": pid}
        ).scalar()
    return "", 302, {"Location": f"/query/{slug}?n={count}"}
