"""``flask users create-admin`` and ``flask users create-organizer``."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.accounts.models import Organization, User

PASSWORD = "a long enough password"


def create_admin(runner, email="ada@example.org", password=PASSWORD, **kw):
    args = ["users", "create-admin", "--email", email, "--name", "Ada Admin"]
    if password is not None:
        args += ["--password", password]
    return runner.invoke(args=args, **kw)


def create_organizer(runner, email="olive@example.org", org="Doctors Now", **kw):
    args = ["users", "create-organizer", "--email", email, "--name", "Olive Organizer"]
    args += ["--organization", org, "--password", kw.pop("password", PASSWORD)]
    return runner.invoke(args=args, **kw)


def test_create_admin(runner, db):
    result = create_admin(runner, email="  Ada@Example.org ")
    assert result.exit_code == 0, result.output
    assert "Created admin ada@example.org." in result.output
    user = db.session.scalar(select(User))
    assert user.is_admin and user.email == "ada@example.org"
    assert user.check_password(PASSWORD)
    assert PASSWORD not in user.password_hash


def test_create_admin_prompts_for_password_with_confirmation(runner, db):
    result = create_admin(runner, password=None, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).check_password(PASSWORD)


def test_mismatched_password_confirmation_asks_again(runner, db):
    result = create_admin(runner, password=None, input=f"{PASSWORD}\nother one\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_organizer_creates_the_organisation_once(runner, db):
    assert create_organizer(runner).exit_code == 0
    result = create_organizer(runner, email="sam@example.org", org="doctors now")
    assert result.exit_code == 0, result.output
    assert "for Doctors Now" in result.output
    [org] = db.session.scalars(select(Organization)).all()
    users = db.session.scalars(select(User).order_by(User.id)).all()
    assert [u.organization_ids for u in users] == [{org.id}, {org.id}]
    assert not any(u.is_admin for u in users)


def test_organizer_can_log_in_after_creation(runner, client):
    create_organizer(runner)
    response = client.post("/login", data={"email": "olive@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_duplicate_email_is_refused_with_a_message(runner, db):
    create_admin(runner)
    result = create_organizer(runner, email="ADA@example.org")
    assert result.exit_code == 1
    assert "A user with that email already exists." in result.output
    assert db.session.scalar(select(Organization)) is None  # nothing half-made


def test_short_password_and_bad_email_are_refused(runner, db):
    short = create_admin(runner, password="short")
    assert short.exit_code == 1
    assert "Passwords need at least 10 characters." in short.output
    bad = create_admin(runner, email="not-an-email")
    assert bad.exit_code == 1
    assert "Enter a valid email address" in bad.output
    blank_org = create_organizer(runner, org="   ")
    assert blank_org.exit_code == 1
    assert "organisation name" in blank_org.output
    assert db.session.scalar(select(User)) is None


def test_set_password_prompts_hidden_and_ends_every_session(runner, client, db):
    create_admin(runner)
    client.post("/login", data={"email": "ada@example.org", "password": PASSWORD})
    assert client.get("/organize/").status_code == 200
    new = "another long password"
    result = runner.invoke(
        args=["users", "set-password", "ADA@example.org"], input=f"{new}\n{new}\n"
    )
    assert result.exit_code == 0, result.output
    assert new not in result.output  # the prompt does not echo
    assert "Set a new password for ada@example.org" in result.output
    db.session.expire_all()
    user = db.session.scalar(select(User))
    assert user.check_password(new) and not user.check_password(PASSWORD)
    assert client.get("/organize/").status_code == 302  # the old session has ended


def test_set_password_refuses_unknown_emails_and_short_passwords(runner, db):
    unknown = runner.invoke(
        args=["users", "set-password", "nobody@example.org", "--password", PASSWORD]
    )
    assert unknown.exit_code == 1 and "No user has that email." in unknown.output
    create_admin(runner)
    short = runner.invoke(args=["users", "set-password", "ada@example.org", "--password", "short"])
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    assert db.session.scalar(select(User)).check_password(PASSWORD)
