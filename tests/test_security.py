"""Cross-cutting guarantees: every POST needs a CSRF token; configuration is safe."""

from __future__ import annotations

from advocacy.petitions import services


def test_every_post_route_refuses_a_missing_csrf_token(app, client, make):
    app.config["WTF_CSRF_ENABLED"] = True
    petition = make.petition()
    signature = make.signature(petition, confirmed=False)
    values = {
        "slug": petition.slug,
        "petition_id": petition.id,
        "token": services.make_token(signature),
    }
    post_rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
    assert len(post_rules) >= 3
    for rule in post_rules:
        url = rule.build({arg: values.get(arg, 1) for arg in rule.arguments})[1]
        response = client.post(url, data={"email": "a@example.com"})
        assert response.status_code == 400, url
        assert "form expired" in response.text
    db_signature_count = petition.signature_count
    assert db_signature_count == 0


def test_security_headers_and_cookie_flags(client, make):
    petition = make.petition()
    response = client.get(f"/petitions/{petition.slug}")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert (
        "unsafe-inline"
        not in response.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )
