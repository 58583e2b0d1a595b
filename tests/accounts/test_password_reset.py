"""Forgotten password: the same page for every address, and a reset link that works once,
for a while, and not after the password changes."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from itsdangerous import URLSafeTimedSerializer

from advocacy.accounts import links, members
from tests.factories import PASSWORD

NEW = "a brand new passphrase"


def _forgot(client, email):
    return client.post("/password/forgot", data={"email": email})


def _reset_link(client, mailbox, email):
    _forgot(client, email)
    return mailbox.last_link(email, "password_reset")


def test_the_page_is_the_same_for_every_address(client, make, mailbox):
    make.organizer(email="olive@example.org")
    known, unknown = _forgot(client, "Olive@example.org "), _forgot(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("olive@example.org", "E") == unknown.text.replace(
        "nobody@example.org", "E"
    )
    assert "Check your inbox" in known.text
    (message,) = mailbox.messages(to="olive@example.org")
    assert message.kind == "password_reset" and message.transactional
    assert "works once, for 60 minutes" in message.text_body
    assert mailbox.messages(to="nobody@example.org") == []


def test_reset_sets_the_password_ends_other_sessions_and_logs_in_anew(app, client, make, mailbox):
    user = make.organizer(email="olive@example.org")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/organize/").status_code == 200
    version = user.session_version

    link = _reset_link(client, mailbox, user.email)
    with client.session_transaction() as before:
        before["planted"] = "value"
    assert "Choose a new password" in client.get(link).text
    done = client.post(link, data={"password": NEW})
    assert done.status_code == 302 and done.location.endswith("/organize/")
    with client.session_transaction() as after:
        assert "planted" not in after  # a new session
    assert client.get("/organize/").status_code == 200  # logged in
    assert other.get("/organize/").status_code == 302  # the other session has ended

    from advocacy.extensions import db

    db.session.refresh(user)
    assert user.session_version == version + 1
    assert user.check_password(NEW) and not user.check_password(PASSWORD)

    # Used once: the link no longer works, on GET or POST.
    again = app.test_client()
    assert again.get(link).status_code == 400
    reused = again.post(link, data={"password": "yet another passphrase"})
    assert reused.status_code == 400 and "not valid" in reused.text
    db.session.refresh(user)
    assert user.check_password(NEW)


def test_a_password_change_or_logout_everywhere_ends_the_link(client, make, mailbox, auth):
    user = make.organizer()
    link = _reset_link(client, mailbox, user.email)
    auth.login(user.email)
    auth.logout()  # logs out everywhere: the session version moves
    assert client.post(link, data={"password": NEW}).status_code == 400


def test_a_newer_link_leaves_an_older_one_working_until_either_is_used(client, make, mailbox):
    user = make.organizer()
    first = _reset_link(client, mailbox, user.email)
    second = _reset_link(client, mailbox, user.email)
    assert client.post(second, data={"password": NEW}).status_code == 302
    assert client.post(first, data={"password": "another passphrase"}).status_code == 400


def test_two_requests_with_one_link_cannot_both_reset(app, make, mailbox):
    user = make.organizer()
    token = links.reset_token(user)
    members.reset_password(token, NEW)
    with pytest.raises(links.LinkError):
        members.reset_password(token, "another passphrase")


def test_an_expired_or_forged_link_is_refused(app, client, make, mailbox):
    user = make.organizer()
    link = _reset_link(client, mailbox, user.email)
    with mock.patch("itsdangerous.timed.time.time", return_value=time.time() + 61 * 60):
        expired = client.post(link, data={"password": NEW})
    assert expired.status_code == 400 and "expired" in expired.text

    key = app.config["SECRET_KEY"]
    for bad in (
        URLSafeTimedSerializer("other key", salt="account-reset").dumps([user.id, "x"]),
        URLSafeTimedSerializer(key, salt="account-reset").dumps([user.id, "0" * 16]),
        URLSafeTimedSerializer(key, salt="account-reset").dumps([2**31, "0" * 16]),
        URLSafeTimedSerializer(key, salt="account-reset").dumps("not a list"),
        links.confirm_token(user),  # another purpose's link
        "garbage",
    ):
        assert client.get(f"/password/reset/{bad}").status_code == 400
        assert client.post(f"/password/reset/{bad}", data={"password": NEW}).status_code == 400
    from advocacy.extensions import db

    db.session.refresh(user)
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "10 to 200"), ("password1234", None), ("1234567890", "most common")],
)
def test_the_new_password_follows_the_rules(client, make, mailbox, password, message):
    user = make.organizer()
    link = _reset_link(client, mailbox, user.email)
    response = client.post(link, data={"password": password})
    if message is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 400 and message in response.text
        assert client.post(link, data={"password": NEW}).status_code == 302  # still usable


def test_a_reset_confirms_an_account_still_to_confirm(client, db, mailbox):
    client.post(
        "/signup", data={"email": "ada@example.org", "name": "Ada", "password": "first passphrase"}
    )
    link = _reset_link(client, mailbox, "ada@example.org")
    done = client.post(link, data={"password": NEW})
    assert done.status_code == 302 and done.location.endswith("/account")


def test_bad_input_on_forgot_is_a_400(client):
    for email in ("a\x00@example.org", "x" * 100_000, "not an address", ""):
        assert _forgot(client, email).status_code == 400
