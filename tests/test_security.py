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


def test_fast_csrf_token_is_flask_wtf_compatible(app):
    from flask import g
    from flask_wtf.csrf import generate_csrf, validate_csrf

    from advocacy.core.csrf import csrf_token

    with app.test_request_context("/"):
        token = csrf_token()
        validate_csrf(token)  # raises if Flask-WTF does not accept it
        assert generate_csrf() == token == csrf_token()
    with app.test_request_context("/"):
        g.pop("csrf_token", None)
        other = csrf_token()
        assert other != token


def test_cached_page_token_is_accepted_by_the_sign_form(app, client, db, make):
    app.config.update(PETITION_PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)
    from flask import g

    from tests.factories import sign_form

    petition = make.petition()
    page = client.get(f"/petitions/{petition.slug}").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    g.pop("csrf_token", None)
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form(csrf_token=token))
    assert response.status_code == 302
