"""The embeddable sign form: framing, its cookie-free token, signing in a frame, thanks."""

from __future__ import annotations

import html
import re
import time

import pytest
from sqlalchemy import func, select

from advocacy import create_app
from advocacy.core import embed_token
from advocacy.petitions.models import PetitionStatus, Signature
from tests.factories import sign_form


def count_rows(db) -> int:
    return db.session.scalar(select(func.count(Signature.id)))


def embed_form_token(client, slug: str) -> str:
    page = client.get(f"/petitions/{slug}/embed").text
    return page.split('name="csrf_token" value="')[1].split('"')[0]


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


# --- the tokens --------------------------------------------------------------------------


def test_form_token_is_bound_to_its_petition_and_signed(app):
    token = embed_token.form_token(7)
    assert embed_token.form_token_is_valid(token, 7)
    assert not embed_token.form_token_is_valid(token, 8)
    petition, issued, nonce, mac = token.split(".")
    assert not embed_token.form_token_is_valid(f"8.{issued}.{nonce}.{mac}", 8)  # moved
    assert not embed_token.form_token_is_valid(f"{petition}.{int(issued) + 1}.{nonce}.{mac}", 7)
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    assert not embed_token.form_token_is_valid(f"{petition}.{issued}.{nonce}.{flipped}", 7)
    for junk in (None, "", "7", "7.1.2", "7.x.y.z", "7.1.é" + nonce[2:] + ".m", token + ".x"):
        assert not embed_token.form_token_is_valid(junk, 7), junk
    assert len({embed_token.form_token(7).split(".")[2] for _ in range(5)}) == 5


def test_form_token_expires_after_the_csrf_time_limit(app, monkeypatch):
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    token = embed_token.form_token(7)
    now = time.time()
    monkeypatch.setattr("advocacy.core.embed_token.time.time", lambda: now + 3599)
    assert embed_token.form_token_is_valid(token, 7)
    monkeypatch.setattr("advocacy.core.embed_token.time.time", lambda: now + 3601)
    assert not embed_token.form_token_is_valid(token, 7)
    monkeypatch.setattr("advocacy.core.embed_token.time.time", lambda: now - 60)
    assert not embed_token.form_token_is_valid(token, 7)  # issued in the future


def test_tokens_survive_a_key_rotation_only_with_the_fallback(app):
    form, thanks = embed_token.form_token(7), embed_token.thanks_token("p", 41)
    old = app.secret_key
    app.secret_key = app.config["SECRET_KEY"] = "a-new-key"
    assert not embed_token.form_token_is_valid(form, 7)
    assert embed_token.thanks_signature_id(thanks, "p") is None
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert embed_token.form_token_is_valid(form, 7)
    assert embed_token.thanks_signature_id(thanks, "p") == 41


def test_thanks_token_names_the_signature_of_one_petition_and_hides_its_id(app, monkeypatch):
    token = embed_token.thanks_token("petition-a", 12345)
    assert embed_token.thanks_signature_id(token, "petition-a") == 12345
    assert embed_token.thanks_signature_id(token, "petition-b") is None
    issued, nonce, masked, mac = token.split(".")
    other = embed_token.thanks_token("petition-a", 12345)
    assert other.split(".")[2] != masked  # a fresh mask each time: no id to compare
    assert (
        embed_token.thanks_signature_id(
            f"{issued}.{nonce}.{other.split('.')[2]}.{mac}", "petition-a"
        )
        is None
    )
    assert embed_token.thanks_signature_id(None, "petition-a") is None
    assert embed_token.thanks_signature_id("garbage", "petition-a") is None
    later = time.time() + embed_token.THANKS_SECONDS + 1
    monkeypatch.setattr("advocacy.core.embed_token.time.time", lambda: later)
    assert embed_token.thanks_signature_id(token, "petition-a") is None


# --- framing -----------------------------------------------------------------------------


def test_only_the_embed_may_be_framed(csrf_on, client, make, auth):
    """Every route in the URL map refuses frames, logged out and in; the embed allows any."""
    org = make.organization()
    petition = make.petition(org)
    make.organizer(org, email="org@example.org")
    values = {
        "slug": petition.slug,
        "petition_id": petition.id,
        "token": "x",
        "filename": "css/site.css",
    }
    embed_rules = {"petitions.embed", "petitions.embed_sign"}
    rules = [r for r in csrf_on.url_map.iter_rules() if r.endpoint not in embed_rules]
    assert len(rules) > 20
    for logged_in in (False, True):
        if logged_in:
            auth.login("org@example.org")
        for rule in rules:
            if logged_in and rule.endpoint == "accounts.logout":
                continue
            url = rule.build({arg: values.get(arg, 1) for arg in rule.arguments})[1]
            method = "GET" if "GET" in (rule.methods or ()) else "POST"
            response = client.open(url, method=method)
            csp = response.headers.get("Content-Security-Policy", "")
            assert "frame-ancestors 'none'" in csp, (method, url)
            assert response.headers.get("X-Frame-Options") == "DENY", (method, url)
    slug = petition.slug
    answers = [
        (client.get(f"/petitions/{slug}/embed"), 200),
        (client.get(f"/petitions/{slug}/embed?t=nonsense"), 200),
        (client.post(f"/petitions/{slug}/embed", data=sign_form()), 400),  # no token
        (  # the redirect to the thanks, and the thanks
            client.post(
                f"/petitions/{slug}/embed",
                data=sign_form(csrf_token=embed_form_token(client, slug)),
            ),
            303,
        ),
    ]
    answers.append((client.get(answers[-1][0].headers["Location"]), 200))
    for response, status in answers:
        assert response.status_code == status
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" not in response.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in response.headers
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- the page ----------------------------------------------------------------------------


def test_embed_page_shows_title_progress_form_and_link_without_cookies(client, make, db):
    petition = make.petition(title="Let doctors practice", goal=10_000)
    petition.signature_count = 6912
    db.session.commit()
    response = client.get(f"/petitions/{petition.slug}/embed?ref=partner-site")
    assert response.status_code == 200
    page = response.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Let doctors practice" in text
    assert "6,912 of 10,000 signatures" in text
    assert 'role="progressbar"' in page and 'aria-valuenow="6912"' in page
    for name in (
        "first_name",
        "last_name",
        "email",
        "zip",
        "address",
        "comment",
        "public",
        "opt_in",
    ):
        assert f'name="{name}"' in page, name
    assert f'action="/petitions/{petition.slug}/embed"' in page
    assert '<input type="hidden" name="ref" value="partner-site">' in page
    link = re.search(rf'<a href="[^"]*/petitions/{petition.slug}"[^>]*>', page).group(0)
    assert 'target="_blank"' in link and 'rel="noopener"' in link
    assert 'class="nav' not in page and "<footer" not in page  # no site chrome
    assert response.headers.getlist("Set-Cookie") == []


def test_draft_has_no_embed(client, make):
    petition = make.petition(status=PetitionStatus.DRAFT, published_at=None)
    assert client.get(f"/petitions/{petition.slug}/embed").status_code == 404


def test_closed_petition_embed_has_no_form_and_refuses_signatures(csrf_on, client, make, db):
    petition = make.petition()
    token = embed_form_token(client, petition.slug)
    petition.status = PetitionStatus.CLOSED
    db.session.commit()
    assert "This petition is closed" in client.get(f"/petitions/{petition.slug}/embed").text
    response = client.post(f"/petitions/{petition.slug}/embed", data=sign_form(csrf_token=token))
    assert response.status_code == 409
    assert count_rows(db) == 0


# --- signing in the frame ----------------------------------------------------------------


def test_signing_in_the_embed_needs_no_cookie_and_says_check_your_inbox(csrf_on, make, db, mailbox):
    petition = make.petition()
    page_client, post_client = csrf_on.test_client(), csrf_on.test_client()
    token = embed_form_token(page_client, petition.slug)
    # Another client, with no cookie at all: what a third-party iframe sends.
    response = post_client.post(
        f"/petitions/{petition.slug}/embed", data=sign_form(csrf_token=token, ref="partner")
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/petitions/{petition.slug}/embed?t=")
    assert response.headers.getlist("Set-Cookie") == []
    signature = db.session.scalars(select(Signature)).one()
    assert signature.email == "maria@example.com" and signature.ref == "partner"
    assert signature.confirmed_at is None
    assert len(mailbox.messages(to="maria@example.com", kind="confirm_signature")) == 1
    done = post_client.get(response.headers["Location"])
    assert done.status_code == 200 and "Check your inbox" in done.text
    assert "Sign the petition</button>" not in done.text
    assert "X-Frame-Options" not in done.headers


def test_embed_without_confirmation_says_thank_you(csrf_on, client, make, db):
    petition = make.petition(require_confirmation=False)
    token = embed_form_token(client, petition.slug)
    response = client.post(f"/petitions/{petition.slug}/embed", data=sign_form(csrf_token=token))
    assert response.status_code == 303
    done = client.get(response.headers["Location"])
    assert "Thank you — your signature counts" in done.text
    db.session.refresh(petition)
    assert petition.signature_count == 1


@pytest.mark.parametrize("case", ["missing", "tampered", "expired", "other petition"])
def test_a_bad_embed_token_shows_the_form_again_and_signs_nothing(
    csrf_on, client, make, db, monkeypatch, case
):
    petition, other = make.petition(), make.petition()
    token = embed_form_token(client, petition.slug)
    if case == "missing":
        token = None
    elif case == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case == "expired":
        later = time.time() + csrf_on.config["WTF_CSRF_TIME_LIMIT"] + 1
        monkeypatch.setattr("advocacy.core.embed_token.time.time", lambda: later)
    else:
        token = embed_form_token(client, other.slug)
    data = sign_form(csrf_token=token, first_name="Kept", comment="Still here")
    response = client.post(f"/petitions/{petition.slug}/embed", data=data)
    assert response.status_code == 400
    assert "Your form expired or did not come from this petition" in html.unescape(response.text)
    assert 'value="Kept"' in response.text and "Still here" in response.text
    assert count_rows(db) == 0
    # The page carries a fresh, valid token, so pressing Sign again works.
    fresh = response.text.split('name="csrf_token" value="')[1].split('"')[0]
    again = client.post(f"/petitions/{petition.slug}/embed", data=sign_form(csrf_token=fresh))
    assert again.status_code == 303 and count_rows(db) == 1


def test_embed_validation_uses_the_sign_forms_messages_and_keeps_entries(csrf_on, client, make, db):
    petition = make.petition()
    token = embed_form_token(client, petition.slug)
    data = sign_form(csrf_token=token, email="not-an-email", zip="", last_name="Lopez")
    response = client.post(f"/petitions/{petition.slug}/embed", data=data)
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "Enter a valid email address, such as name@example.com." in page
    assert "Enter your ZIP code." in page
    assert 'value="Lopez"' in page and 'value="not-an-email"' in page
    assert count_rows(db) == 0


def test_embed_thanks_needs_a_valid_token(client, make):
    petition, other = make.petition(), make.petition()
    signature = make.signature(petition)
    for t in ("", "nonsense", embed_token.thanks_token(other.slug, signature.id)):
        page = client.get(f"/petitions/{petition.slug}/embed?t={t}").text
        assert "Check your inbox" not in page and "Sign the petition</button>" in page


def test_embed_signing_is_rate_limited_per_address(_migrated, make):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "RATELIMIT_ENABLED": True,
            "SIGN_LIMIT_PER_ADDRESS": "2 per minute",
        }
    )
    with app.app_context():
        from tests.conftest import _empty_tables

        _empty_tables()
        petition = make.petition()
        client = app.test_client()
        codes = [
            client.post(
                f"/petitions/{petition.slug}/embed", data=sign_form(email=f"p{i}@example.com")
            ).status_code
            for i in range(3)
        ]
        assert codes == [303, 303, 429]
        # One budget with the petition page's form, and the polite page shows in the frame.
        over = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
        assert over.status_code == 429
        framed = client.post(f"/petitions/{petition.slug}/embed", data=sign_form())
        assert framed.status_code == 429 and "Please wait" in framed.text
        assert "frame-ancestors *" in framed.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in framed.headers
        gone = client.get("/petitions/no-such-petition/embed")
        assert gone.status_code == 404 and "X-Frame-Options" not in gone.headers


# --- the /signed thank-you page ----------------------------------------------------------


def test_signed_page_thanks_only_the_browser_that_just_signed(client, make, db):
    petition = make.petition(require_confirmation=False)
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    location = response.headers["Location"]
    assert "your signature counts" in client.get(location).text
    stranger = client.get(f"/petitions/{petition.slug}/signed")
    assert stranger.status_code == 302
    assert stranger.headers["Location"].endswith(f"/petitions/{petition.slug}")
    other = make.petition(require_confirmation=False)
    token = location.split("t=")[1]
    moved = client.get(f"/petitions/{other.slug}/signed?t={token}")
    assert moved.status_code == 302 and "your signature counts" not in moved.text


def test_signed_page_token_expires(client, make, monkeypatch):
    petition = make.petition(require_confirmation=False)
    location = client.post(f"/petitions/{petition.slug}/sign", data=sign_form()).headers["Location"]
    later = time.time() + embed_token.THANKS_SECONDS + 1
    monkeypatch.setattr("advocacy.core.embed_token.time.time", lambda: later)
    assert client.get(location).status_code == 302


def test_repeat_signer_gets_the_same_kind_of_thanks(client, make):
    """A repeat also gets a working token, so the page does not tell who signed before."""
    petition = make.petition(require_confirmation=False)
    first = client.post(f"/petitions/{petition.slug}/sign", data=sign_form()).headers["Location"]
    again = client.post(f"/petitions/{petition.slug}/sign", data=sign_form()).headers["Location"]
    assert first != again
    assert "your signature counts" in client.get(again).text


# --- the organizer's snippet -------------------------------------------------------------


def test_editor_shows_the_embed_snippet_with_the_real_url(client, make, auth):
    org = make.organization("Doctors Now")
    make.organizer(org, email="org@example.org")
    petition = make.petition(org, title='Say "yes" & <mean> it')
    auth.login("org@example.org")
    page = client.get(f"/organize/petitions/{petition.id}/edit").text
    code = html.unescape(page.split('id="embed-code"')[1].split(">", 1)[1].split("</textarea>")[0])
    assert code == (
        f'<iframe src="http://advocacy.test/petitions/{petition.slug}/embed" '
        'title="Sign: Say &#34;yes&#34; &amp; &lt;mean&gt; it" width="100%" height="760" '
        'style="border:0;max-width:480px" loading="lazy"></iframe>'
    )
    assert 'data-copy-from="embed-code"' in page and "js/copy.js" in page
    assert "<script>" not in page  # CSP: scripts come from files only


def test_a_non_ascii_token_is_a_400_not_a_500(csrf_on, client, make):
    """hmac.compare_digest raises on non-ASCII text: such a token must not reach it."""
    petition = make.petition()
    client.get(f"/petitions/{petition.slug}")  # the sign cookie
    now = int(time.time())
    tokens = {
        "sign": f"{now}.é",
        "embed": f"{petition.id}.{now}.{'a' * 16}.é",
    }
    for path, token in tokens.items():
        response = client.post(
            f"/petitions/{petition.slug}/{path}", data=sign_form(csrf_token=token)
        )
        assert response.status_code == 400, path
    assert embed_token.thanks_signature_id(f"{now}.{'a' * 16}.x.é", "p") is None


def test_embed_page_reads_the_petition_from_the_worker_cache(app, client, make, db):
    from sqlalchemy import event

    app.config["PETITION_PAGE_CACHE_SECONDS"] = 60
    petition = make.petition()
    client.get(f"/petitions/{petition.slug}/embed")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(f"/petitions/{petition.slug}/embed").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []


def test_the_embeds_comment_box_has_no_silent_limit_either(client, make):
    """The same sign fields as the petition page: no maxlength on the comment, the counter."""
    petition = make.petition()
    page = client.get(f"/petitions/{petition.slug}/embed").text
    box = page.split("<textarea", 1)[1].split(">", 1)[0]
    assert " maxlength=" not in box and 'data-maxlength="500"' in box
    assert "js/counter.js" in page
