"""Sessions keep working, and rotate keys, with the reused serializer."""

from __future__ import annotations

from flask import session


def test_session_round_trips_and_honours_key_rotation(app):
    app.add_url_rule("/_set", "set", lambda: session.update(n=7) or "ok")
    app.add_url_rule("/_get", "get", lambda: str(session.get("n")))
    client = app.test_client()
    client.get("/_set")
    assert client.get("/_get").text == "7"
    # Rotate: the old key becomes a fallback, the old cookie still reads.
    old = app.secret_key
    app.config.update(SECRET_KEY="rotated-key", SECRET_KEY_FALLBACKS=[old])
    app.secret_key = "rotated-key"
    assert client.get("/_get").text == "7"
    # Without the fallback the old cookie is refused.
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/_get").text == "None"
