"""The flows a person runs on their own account: sign up, confirm the address, reset a
forgotten password, change password and email.

Every flow that starts from an address someone types answers the same way whether or not an
account has it: what differs goes into the email to that address, never into the page. So
a sign-up of a taken address emails its owner instead of saying "taken", and a reset or a
resend for an unknown address sends nothing, after the same work as a real one
(``_send_or_pretend``), so that its timing does not tell either. Emails are queued in the
transaction that decides them (``advocacy.mail.enqueue``) and leave after its commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, url_for
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from advocacy.accounts import links, services
from advocacy.accounts.confirmed import email_confirmed
from advocacy.accounts.links import LinkError
from advocacy.accounts.models import User, password_hash_method
from advocacy.core.db import rowcount, utcnow
from advocacy.core.errors import DomainError
from advocacy.core.text import normalise_email
from advocacy.extensions import db
from advocacy.mail import enqueue


def _external(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def _send_confirmation(user: User) -> None:
    enqueue(
        "account_confirm",
        user.email,
        "account_confirm",
        name=user.name,
        confirm_url=_external("accounts.confirm", token=links.confirm_token(user)),
        expires_days=current_app.config["ACCOUNT_CONFIRM_DAYS"],
    )


def _send_already_registered(email: str) -> None:
    enqueue(
        "account_exists",
        email,
        "account_exists",
        login_url=_external("accounts.login"),
        forgot_url=_external("accounts.forgot_password"),
    )


def sign_up(email: str, name: str, password: str) -> None:
    """Create an unconfirmed account and email its confirmation link; for an address that
    has an account, email its owner instead. Either way the caller shows the same page.

    A refusal (``DomainError``) is about what was typed only (the address's shape, the
    name, the password), never about whether the address is taken. A taken address still
    pays for hashing the password, so the two answers take as long."""
    email = services.check_email(email)
    services.check_name(name)
    if services.email_taken(email):
        services.check_new_password(password)
        generate_password_hash(password, method=password_hash_method())
        _send_already_registered(email)
        db.session.commit()
        return
    try:
        user = services.new_user(email, name, password, confirmed=False)
        _send_confirmation(user)
        db.session.commit()
    except IntegrityError:  # the same address signed up at the same moment
        db.session.rollback()
        _send_already_registered(email)
        db.session.commit()


def _send_or_pretend(user: User | None, email: str, send: Callable[[User], None]) -> None:
    """``send`` the email to ``user``, or, when there is no one to send it to, do the same
    work and throw it away, so the two answers cost the same and their timing does not tell
    whether the address has an account.

    Both ways make the link, render the email, insert it inside a savepoint, commit and hand
    the message id to delivery; without a user the savepoint is rolled back, so nothing is
    stored and delivery finds nothing under the id. A stand-in user (never added to the
    session) carries the typed address and a dummy password hash for the link."""
    stand_in = user or User(
        id=_STAND_IN_ID,
        email=email,
        name="",
        password_hash=services.dummy_hash(),
        session_version=0,
    )
    savepoint = db.session.begin_nested()
    send(stand_in)
    if user is None:
        savepoint.rollback()
    else:
        savepoint.commit()
    db.session.commit()


# The stand-in's id: any valid row id will do, its link is never stored or sent.
_STAND_IN_ID = 1


def resend_confirmation(email: str) -> None:
    """A fresh confirmation link, if ``email`` has an account still to confirm."""
    user = services.find_user(email)
    if user is not None and not (user.active and user.email_confirmed_at is None):
        user = None
    _send_or_pretend(user, normalise_email(email), _send_confirmation)


def confirm_email(token: str) -> User:
    """Mark the account of a confirmation link confirmed (again: no change). ``LinkError``."""
    user = links.user_to_confirm(token)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        email_confirmed(user)
        db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link, if ``email`` has an active account."""
    user = services.find_user(email)
    if user is not None and not user.active:
        user = None
    _send_or_pretend(user, normalise_email(email), _send_reset)


def _send_reset(user: User) -> None:
    enqueue(
        "password_reset",
        user.email,
        "password_reset",
        name=user.name,
        reset_url=_external("accounts.reset_password", token=links.reset_token(user)),
        expires_minutes=current_app.config["PASSWORD_RESET_MINUTES"],
    )


def reset_password(token: str, new: str) -> User:
    """Set the password a reset link is for; ends every session of the user; commits.

    One guarded ``UPDATE`` (still the session version the link was checked against), so two
    requests with one link cannot both succeed. Following the link proves the address, so
    an account still unconfirmed is confirmed too."""
    user = links.user_to_reset(token)
    services.check_new_password(new)
    new_hash = generate_password_hash(new, method=password_hash_method())
    changed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.session_version == user.session_version)
        .values(
            password_hash=new_hash,
            session_version=User.session_version + 1,
            email_confirmed_at=user.email_confirmed_at or utcnow(),
        )
    )
    if rowcount(changed) != 1:
        db.session.rollback()
        raise LinkError(links.INVALID)
    db.session.refresh(user)
    email_confirmed(user)  # the reset may have confirmed the address just now
    db.session.commit()
    return user


def request_email_change(user: User, password: str, new_email: str) -> str:
    """Email a confirmation link to ``new_email`` and a notice to the current address;
    the address changes only when the link is followed. Returns the normalised address.

    A taken address gets a note that someone tried to use it instead, and the person sees
    the same answer: this form must not tell which addresses have accounts."""
    if not check_password_hash(user.password_hash, password):
        raise DomainError("That is not your current password.", "password")
    new_email = services.check_email(new_email)
    if new_email == user.email:
        raise DomainError("That is already your email address.", "email")
    if services.email_taken(new_email):
        enqueue(
            "email_change_taken",
            new_email,
            "email_change_taken",
            login_url=_external("accounts.login"),
            forgot_url=_external("accounts.forgot_password"),
        )
    else:
        enqueue(
            "email_change_confirm",
            new_email,
            "email_change_confirm",
            name=user.name,
            confirm_url=_external(
                "accounts.confirm_email_change", token=links.email_change_token(user, new_email)
            ),
            expires_days=current_app.config["ACCOUNT_CONFIRM_DAYS"],
        )
    enqueue(
        "email_change_notice",
        user.email,
        "email_change_notice",
        name=user.name,
        new_email=new_email,
    )
    db.session.commit()
    return new_email


def apply_email_change(token: str) -> User:
    """Move the account to the address of a change-of-email link; commits. ``LinkError``
    when the link is not valid any more or the address has been taken since."""
    user, new_email = links.email_change(token)
    if services.email_taken(new_email):
        raise LinkError("That address belongs to another account now, so it cannot be yours.")
    user.email = new_email
    user.email_confirmed_at = utcnow()
    try:
        db.session.flush()
        email_confirmed(user)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise LinkError("That address belongs to another account now.") from exc
    return user
