"""Sign-up: a new account starts unconfirmed, is confirmed by an emailed link, and the pages
never tell whether an address already has an account."""

from __future__ import annotations

from unittest import mock

import pytest
from itsdangerous import URLSafeTimedSerializer

from advocacy.accounts import links, passwords
from advocacy.accounts.models import User
from advocacy.extensions import db as _db
from tests.factories import PASSWORD

NEW = "a fresh long password"


def _signup(client, email="ada@example.org", name="Ada Lovelace", password=NEW):
    return client.post("/signup", data={"email": email, "name": name, "password": password})


def _confirm(client, mailbox, email="ada@example.org"):
    link = mailbox.last_link(email, "account_confirm")
    assert client.get(link).status_code == 200  # the page with the button confirms nothing
    return client.post(link)


def test_sign_up_confirm_then_log_in(client, db, mailbox, auth):
    response = _signup(client, email="  Ada@Example.org ")
    assert response.status_code == 200 and "Check your inbox" in response.text
    user = db.session.scalar(db.select(User).where(User.email == "ada@example.org"))
    assert user.email_confirmed_at is None and user.name == "Ada Lovelace"
    assert user.password_hash.startswith("pbkdf2:sha256:1000$") and user.check_password(NEW)
    assert user.memberships == [] and not user.is_organizer
    (message,) = mailbox.messages(to="ada@example.org", kind="account_confirm")
    assert message.transactional and "Confirm your email address" in message.subject

    assert auth.login("ada@example.org", NEW).status_code == 400  # not confirmed yet
    link = mailbox.last_link("ada@example.org", "account_confirm")
    client.get(link)
    db.session.refresh(user)
    assert user.email_confirmed_at is None  # a mail scanner opening the link changes nothing
    confirmed = client.post(link)
    assert confirmed.status_code == 302 and confirmed.location.endswith("/login")
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    assert client.post(link).status_code == 302  # twice: harmless

    login = auth.login("ada@example.org", NEW)
    assert login.status_code == 302 and login.location.endswith("/account")  # a member
    assert "ada@example.org" in client.get("/account").text


def test_a_taken_address_gets_an_email_and_the_same_page(client, make, mailbox):
    organizer = make.organizer(email="olive@example.org")
    fresh = _signup(client, email="new@example.org")
    taken = _signup(client, email="OLIVE@example.org")
    assert taken.status_code == fresh.status_code == 200
    assert taken.text.replace("olive@example.org", "new@example.org") == fresh.text
    (notice,) = mailbox.messages(to=organizer.email)
    assert notice.kind == "account_exists"
    assert "already have an account" in notice.text_body and "/password/forgot" in notice.text_body
    assert _db.session.scalar(_db.select(_db.func.count(User.id))) == 2  # nothing created
    _db.session.refresh(organizer)
    assert organizer.check_password(PASSWORD) and organizer.name == "Olive Organizer"


def test_a_taken_address_costs_the_same_hashing(client, make):
    make.organizer(email="olive@example.org")
    with mock.patch("advocacy.accounts.members.generate_password_hash", return_value="x") as hashed:
        _signup(client, email="olive@example.org")
    hashed.assert_called_once()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Passwords need 10 to 200 characters"),
        ("x" * (passwords.MAX_PASSWORD + 1), "10 to 200 characters"),
        ("1234567890", "most common"),
        ("QWERTYUIOP", "most common"),  # case does not matter
        ("Qwertyuiop ", "most common"),
    ],
)
def test_weak_passwords_are_refused_and_the_entries_kept(client, db, password, message):
    response = _signup(client, password=password)
    assert response.status_code == 400
    assert message in response.text
    assert 'value="ada@example.org"' in response.text and 'value="Ada Lovelace"' in response.text
    assert db.session.scalar(db.select(User.id)) is None


def test_the_common_list_is_shipped_and_read_case_insensitively():
    common = passwords.common_passwords()
    assert 900 <= len(common) <= 10_000
    assert {"password", "qwertyuiop", "1234567890"} <= common
    assert passwords.password_problem("PassWord") is not None
    assert passwords.password_problem("correct horse battery") is None


@pytest.mark.parametrize(
    "data",
    [
        {"email": "ada\x00@example.org", "name": "Ada", "password": NEW},
        {"email": "ada@example.org", "name": "Ada\x00", "password": NEW},
        {"email": "ada@example.org", "name": "Ada", "password": NEW + "\x00"},
        {"email": "a" * 100_000 + "@example.org", "name": "Ada", "password": NEW},
        {"email": "ada@example.org", "name": "n" * 100_000, "password": NEW},
        {"email": "not an address", "name": "Ada", "password": NEW},
        {"email": "ada@example.org", "name": "=HYPERLINK()", "password": NEW},
        {},
    ],
)
def test_bad_input_is_a_400_page_not_a_500(client, db, data):
    response = client.post("/signup", data=data)
    assert response.status_code == 400
    assert db.session.scalar(db.select(User.id)) is None


def test_an_unconfirmed_login_says_what_a_wrong_password_says(client, auth, mailbox):
    _signup(client)
    unconfirmed = auth.login("ada@example.org", NEW)
    wrong = auth.login("ada@example.org", "not the password at all")
    unknown = auth.login("nobody@example.org", NEW)
    assert unconfirmed.status_code == wrong.status_code == unknown.status_code == 400
    pages = {
        r.text.replace(e, "E")
        for r, e in (
            (unconfirmed, "ada@example.org"),
            (wrong, "ada@example.org"),
            (unknown, "nobody@example.org"),
        )
    }
    assert len(pages) == 1 and "/signup/resend" in pages.pop()


def test_resend_sends_only_to_an_unconfirmed_account_and_answers_the_same(client, make, mailbox):
    _signup(client)
    make.organizer(email="olive@example.org")
    answers = [
        client.post("/signup/resend", data={"email": email})
        for email in ("ada@example.org", "olive@example.org", "nobody@example.org")
    ]
    assert {a.status_code for a in answers} == {200}
    texts = {
        a.text.replace(e, "E")
        for a, e in zip(
            answers, ("ada@example.org", "olive@example.org", "nobody@example.org"), strict=True
        )
    }
    assert len(texts) == 1
    assert len(mailbox.messages(to="ada@example.org", kind="account_confirm")) == 2
    assert mailbox.messages(to="olive@example.org") == []
    assert mailbox.messages(to="nobody@example.org") == []
    # The newer link works, and so does the first: both name the same address.
    assert _confirm(client, mailbox).status_code == 302


def test_confirmation_links_that_are_expired_forged_or_for_another_address(
    app, client, db, mailbox
):
    _signup(client)
    link = mailbox.last_link("ada@example.org", "account_confirm")
    token = link.rsplit("/", 1)[1]
    user = db.session.scalar(db.select(User))

    forged = URLSafeTimedSerializer("another key", salt="account-confirm").dumps([user.id, "x"])
    other_purpose = links.reset_token(user)
    past_int4 = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="account-confirm").dumps(
        [3_000_000_000, "x"]
    )
    for bad in (forged, other_purpose, past_int4, "nonsense", token[:-2], "x" * 5000):
        for method in ("get", "post"):
            response = getattr(client, method)(f"/signup/confirm/{bad}")
            assert response.status_code == 400, (bad, method)
            assert "not valid" in response.text

    user.email = "changed@example.org"
    db.session.commit()
    assert client.post(link).status_code == 400  # bound to the address it was sent to

    user.email = "ada@example.org"
    db.session.commit()
    app.config["ACCOUNT_CONFIRM_DAYS"] = 0
    with mock.patch("itsdangerous.timed.time.time", return_value=__import__("time").time() + 5):
        expired = client.post(link)
    assert expired.status_code == 400 and "expired" in expired.text
    db.session.refresh(user)
    assert user.email_confirmed_at is None


def test_accounts_an_admin_makes_start_confirmed_and_can_log_in(runner, auth):
    result = runner.invoke(
        args=[
            "users",
            "create-organizer",
            "--email",
            "olive@example.org",
            "--name",
            "Olive",
            "--organization",
            "Org",
            "--password",
            PASSWORD,
        ],
    )
    assert result.exit_code == 0, result.output
    user = _db.session.scalar(_db.select(User).where(User.email == "olive@example.org"))
    assert user.email_confirmed_at is not None
    assert auth.login("olive@example.org").status_code == 302


def test_a_logged_in_user_is_sent_on_from_signup(client, make, auth):
    auth.login(make.organizer().email)
    response = client.get("/signup")
    assert response.status_code == 302 and response.location.endswith("/organize/")


def test_account_pages_are_not_stored(client):
    for path in ("/signup", "/signup/resend", "/password/forgot"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
