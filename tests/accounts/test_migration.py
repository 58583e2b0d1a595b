"""Migration 0010: accounts that existed before member sign-up keep logging in."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from advocacy import create_app
from advocacy.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def test_existing_users_are_backfilled_as_confirmed(tmp_path):
    uri = f"sqlite:///{tmp_path / 'm.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0009_rollups_versions_packets")
        engine = create_engine(uri)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, name, password_hash, is_admin, active,"
                    " session_version, created_at, updated_at) VALUES ('old@example.org', 'Old',"
                    " 'x', 0, 1, 0, '2026-01-02 03:04:05', '2026-01-02 03:04:05')"
                )
            )
        upgrade(directory=MIGRATIONS)
        with engine.begin() as conn:
            confirmed = conn.execute(text("SELECT email_confirmed_at FROM users")).scalar_one()
        assert str(confirmed).startswith("2026-01-02 03:04:05")
        downgrade(directory=MIGRATIONS, revision="0009_rollups_versions_packets")
        with engine.begin() as conn:
            columns = [row[1] for row in conn.execute(text("PRAGMA table_info(users)"))]
        assert "email_confirmed_at" not in columns
        engine.dispose()
        db.engine.dispose()
