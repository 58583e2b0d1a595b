"""/account: change password (current one needed) and email (confirmed at the new address,
a notice to the old one); members and organizers land where they belong."""

from __future__ import annotations

import pytest

from advocacy.accounts import links, services
from advocacy.core.ids import MAX_ID
from tests.factories import PASSWORD

NEW = "a brand new passphrase"


@pytest.fixture
def member(db):
    user = services.new_user("mia@example.org", "Mia Member", PASSWORD, confirmed=True)
    db.session.commit()
    return user


def test_the_page_needs_login_and_is_not_stored(client, auth, member):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.location
    auth.login(member.email)
    page = client.get("/account")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "mia@example.org" in page.text and "Mia Member" in page.text


def test_change_password_needs_the_current_one(client, db, auth, member):
    auth.login(member.email)
    wrong = client.post(
        "/account/password", data={"current_password": "not it at all", "new_password": NEW}
    )
    assert wrong.status_code == 400 and "not your current password" in wrong.text
    common = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "qwertyuiop"}
    )
    assert common.status_code == 400 and "most common" in common.text
    db.session.refresh(member)
    assert member.check_password(PASSWORD)


def test_change_password_ends_other_sessions_and_keeps_this_one(app, client, db, auth, member):
    auth.login(member.email)
    other = app.test_client()
    other.post("/login", data={"email": member.email, "password": PASSWORD})
    assert other.get("/account").status_code == 200
    with client.session_transaction() as before:
        before["planted"] = "value"
    done = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW}
    )
    assert done.status_code == 302 and done.location.endswith("/account")
    with client.session_transaction() as after:
        assert "planted" not in after
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    db.session.refresh(member)
    assert member.check_password(NEW)


def _ask(client, email, password=PASSWORD):
    return client.post("/account/email", data={"email": email, "password": password})


def test_change_email_is_confirmed_at_the_new_address(app, client, db, auth, member, mailbox):
    auth.login(member.email)
    asked = _ask(client, "Mia.New@example.org")
    assert asked.status_code == 200 and "Check your inbox" in asked.text
    db.session.refresh(member)
    assert member.email == "mia@example.org"  # not until the link is followed
    (notice,) = mailbox.messages(to="mia@example.org", kind="email_change_notice")
    assert "mia.new@example.org" in notice.text_body
    link = mailbox.last_link("mia.new@example.org", "email_change_confirm")

    stranger = app.test_client()  # the link works in any browser: it proves the inbox
    assert "Use mia.new@example.org" in stranger.get(link).text
    db.session.refresh(member)
    assert member.email == "mia@example.org"  # opening it changes nothing
    assert stranger.post(link).status_code == 302
    db.session.refresh(member)
    assert member.email == "mia.new@example.org" and member.email_confirmed_at is not None
    assert stranger.post(link).status_code == 400  # once
    assert auth.login("mia.new@example.org").status_code == 302


def test_a_taken_address_gets_a_note_and_the_page_says_the_same(client, db, auth, make, mailbox):
    olive = make.organizer(email="olive@example.org")
    member = services.new_user("mia@example.org", "Mia", PASSWORD, confirmed=True)
    db.session.commit()
    auth.login(member.email)
    taken, free = _ask(client, "olive@example.org"), _ask(client, "free@example.org")
    assert taken.status_code == free.status_code == 200
    assert taken.text.replace("olive@", "X@") == free.text.replace("free@", "X@")
    (note,) = mailbox.messages(to=olive.email)
    assert note.kind == "email_change_taken" and "nothing has changed" in note.text_body
    assert len(mailbox.messages(to="mia@example.org", kind="email_change_notice")) == 2


def test_a_link_to_an_address_taken_since_is_refused(client, db, auth, member, make, mailbox):
    auth.login(member.email)
    _ask(client, "later@example.org")
    link = mailbox.last_link("later@example.org", "email_change_confirm")
    make.organizer(email="later@example.org")
    refused = client.post(link)
    assert refused.status_code == 400 and "another account" in refused.text
    db.session.refresh(member)
    assert member.email == "mia@example.org"


def test_change_email_refusals(client, db, auth, member, mailbox):
    auth.login(member.email)
    assert "not your current password" in _ask(client, "x@example.org", "wrong one!").text
    assert "already your email" in _ask(client, "MIA@example.org").text
    for bad in ("x\x00@example.org", "y" * 100_000, "not an address"):
        assert _ask(client, bad).status_code == 400
    assert mailbox.messages() == []


def test_forged_and_bad_email_change_links(app, client, member):
    from itsdangerous import URLSafeTimedSerializer

    key = app.config["SECRET_KEY"]
    for bad in (
        URLSafeTimedSerializer("other key", salt="account-email").dumps([member.id, "x", "a@b.c"]),
        URLSafeTimedSerializer(key, salt="account-email").dumps([MAX_ID + 1, "x", "a@b.c"]),
        URLSafeTimedSerializer(key, salt="account-email").dumps([member.id, "x", 5]),
        URLSafeTimedSerializer(key, salt="account-email").dumps([member.id, "0" * 16, "a@b.c"]),
        links.confirm_token(member),
        "garbage",
    ):
        assert client.post(f"/account/email/{bad}").status_code == 400


def test_a_member_lands_on_the_account_and_cannot_organize(client, auth, member, make):
    petition = make.petition()
    login = auth.login(member.email)
    assert login.location.endswith("/account")
    page = client.get("/account").text
    assert 'href="/organize/"' not in page  # no "Organize" in the menu
    assert client.get(f"/organize/petitions/{petition.id}/edit").status_code == 404
    assert client.get("/organize/petitions/new").status_code == 302
    assert petition.title not in client.get("/organize/").text


def test_login_keeps_a_safe_next_for_members_and_organizers(app, make, member):
    for user, landing in ((member, "/account"), (make.organizer(), "/organize/")):
        browser = app.test_client()
        data = {"email": user.email, "password": PASSWORD}
        assert browser.post("/login?next=/legislators", data=data).location == "/legislators"
        browser = app.test_client()
        assert browser.post("/login?next=//evil.example", data=data).location.endswith(landing)


def test_the_menu_offers_sign_up_and_log_in(client):
    page = client.get("/").text
    assert 'href="/signup"' in page and 'href="/login"' in page


def test_both_forms_carry_a_working_csrf_token(app, client, db, auth, member):
    auth.login(member.email)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/account").text
    tokens = page.split('name="csrf_token" value="')[1:]
    assert len(tokens) >= 2
    token = tokens[1].split('"')[0]
    done = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": PASSWORD, "new_password": NEW},
    )
    assert done.status_code == 302
    db.session.refresh(member)
    assert member.check_password(NEW)
