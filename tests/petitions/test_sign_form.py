"""What the sign form shows is what it stores: the consent wording, the whole comment."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from advocacy.petitions.models import Signature
from tests.factories import sign_form


def _label_for(html: str, field_id: str) -> str:
    match = re.search(
        rf'<label class="check" for="{field_id}">\s*<input[^>]*>\s*<span>(.*?)</span>', html, re.S
    )
    assert match, f"no label for {field_id}"
    return unescape(match.group(1))


def test_stored_consent_is_the_label_the_signer_ticked(client, db, make):
    petition = make.petition()
    label = _label_for(client.get(f"/petitions/{petition.slug}").text, "opt_in")
    assert label == "Keep me updated about this campaign by email"

    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(opt_in="y"))

    signature = db.session.scalar(select(Signature))
    assert signature.opt_in is True
    assert signature.consent_text == label


def test_no_consent_is_stored_without_the_tick(client, db, make):
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    assert db.session.scalar(select(Signature.consent_text)) is None


def test_comment_box_has_no_silent_limit_and_a_counter_hook(client, make):
    petition = make.petition()
    html = client.get(f"/petitions/{petition.slug}").text
    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    assert not re.search(r"\smaxlength=", textarea)  # a 2,000-character paste is not cut
    assert 'data-maxlength="500"' in textarea
    assert 'aria-describedby="comment-hint"' in textarea
    assert "Up to 500 characters." in html
    assert '<script src="/static/js/counter.js" defer></script>' in html


def test_long_comment_is_refused_with_the_message_and_every_entry_kept(client, db, make):
    petition = make.petition()
    pasted = ("Patients wait months. " * 91).strip()  # 2,001 characters
    data = sign_form(comment=pasted, address="1 Main St", opt_in="y")

    response = client.post(f"/petitions/{petition.slug}/sign", data=data)

    assert response.status_code == 400
    html = unescape(response.text)
    assert "Keep your comment to 500 characters." in html
    assert f"{pasted}</textarea>" in html  # all of it, to shorten, not a truncated copy
    for name in ("first_name", "last_name", "email", "zip", "address"):
        assert f'value="{data[name]}"' in html
    assert re.search(r'<input[^>]*checked[^>]*id="opt_in"|id="opt_in"[^>]*checked', html)
    assert db.session.scalar(select(func.count(Signature.id))) == 0


def test_comment_of_exactly_500_characters_with_line_breaks_is_kept_whole(client, db, make):
    petition = make.petition()
    # 498 letters and one line break, sent as the browser sends it (CRLF): 499 characters.
    comment = "a" * 249 + "\r\n" + "b" * 249 + "é"
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form(comment=comment))
    assert response.status_code == 302
    stored = db.session.scalar(select(Signature.comment))
    assert stored == comment.replace("\r\n", "\n") and len(stored) == 500
