"""The account pages besides login: sign up and confirm, forgotten password, and /account
(change password, change email). The use cases are in ``members.py``; here each page shows
what they decide, and the pages reached by typing an address say the same thing whether or
not it has an account ("check your inbox")."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from advocacy.accounts import links, members, services
from advocacy.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EmailOnlyForm,
    ResetPasswordForm,
    SignupForm,
)
from advocacy.accounts.links import LinkError
from advocacy.accounts.passwords import MIN_PASSWORD
from advocacy.accounts.views import _posted_email, bp, landing, start_session
from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.core.limits import mail_limits
from advocacy.core.text import normalise_email

# Each of these POSTs sends an email: limited per client address and per typed address, the
# latter shared by sign-up, resend and "forgot password" so one inbox is not flooded.
_mail_address_limit, _mail_email_limit = mail_limits(
    "account-mail", "ACCOUNT_MAIL_LIMIT_PER_ADDRESS", "ACCOUNT_MAIL_LIMIT_PER_EMAIL", _posted_email
)


def _page(template: str, form: FlaskForm, **context):
    """A form page: 400 when it comes back with errors, so tests and tools can tell."""
    return render_template(template, form=form, **context), 400 if form.errors else 200


def _check_inbox(email: str, purpose: str):
    return render_template("accounts/check_inbox.html", email=email, purpose=purpose)


def _bad_link(error: LinkError):
    return render_template("accounts/bad_link.html", message=error.message), 400


# --- sign up -------------------------------------------------------------------------------


@bp.route("/signup", methods=["GET", "POST"])
@_mail_email_limit
@_mail_address_limit
def signup():
    if current_user.is_authenticated:
        return redirect(landing(current_user))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            members.sign_up(form.email.data, form.name.data, form.password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            return _check_inbox(services.check_email(form.email.data), "signup")
    return _page("accounts/signup.html", form)


@bp.route("/signup/resend", methods=["GET", "POST"])
@_mail_email_limit
@_mail_address_limit
def resend_confirmation():
    return _emailed_link(members.resend_confirmation, "resend", "accounts/resend.html")


def _emailed_link(send: Callable[[str], None], purpose: str, template: str):
    """A page that asks for an address and answers "check your inbox" whatever ``send``
    did with it (sent a link, or nothing to an address without an account)."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        send(form.email.data)
        return _check_inbox(normalise_email(form.email.data), purpose)
    return _page(template, form)


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """A page with a button (mail scanners open links, and must not confirm); the POST
    confirms. It does not log in: the link proves the inbox, the password proves the person."""
    form = FlaskForm()
    try:
        links.user_to_confirm(token)
        if form.validate_on_submit():
            members.confirm_email(token)
            flash("Your email address is confirmed. You can log in now.", "success")
            return redirect(url_for("accounts.login"))
    except LinkError as error:
        return _bad_link(error)
    return render_template("accounts/confirm.html", form=form)


# --- forgotten password --------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@_mail_email_limit
@_mail_address_limit
def forgot_password():
    return _emailed_link(members.request_password_reset, "reset", "accounts/forgot.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        links.user_to_reset(token)
    except LinkError as error:
        return _bad_link(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = members.reset_password(token, form.password.data)
        except LinkError as error:
            return _bad_link(error)
        except DomainError as error:
            form_error(form, error)
        else:
            start_session(user)
            flash(
                "Your password is changed, and every other session of yours has ended.", "success"
            )
            return redirect(landing(user))
    return _page("accounts/reset.html", form)


# --- the account page ----------------------------------------------------------------------


@bp.get("/account")
@login_required
def account():
    return render_template(
        "accounts/account.html",
        password_form=ChangePasswordForm(formdata=None),
        email_form=ChangeEmailForm(formdata=None),
    )


def _account_page(password_form: FlaskForm, email_form: FlaskForm):
    return render_template(
        "accounts/account.html", password_form=password_form, email_form=email_form
    ), 400


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            # The change ended every session, this one too: continue on a new one.
            start_session(user)
            flash(
                "Your password is changed, and every other session of yours has ended.", "success"
            )
            return redirect(url_for("accounts.account"))
    return _account_page(form, ChangeEmailForm(formdata=None))


@bp.post("/account/email")
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            new_email = members.request_email_change(
                current_user._get_current_object(), form.password.data, form.email.data
            )
        except DomainError as error:
            form_error(form, error)
        else:
            return _check_inbox(new_email, "email")
    return _account_page(ChangePasswordForm(formdata=None), form)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    form = FlaskForm()
    try:
        _user, new_email = links.email_change(token)
        if form.validate_on_submit():
            members.apply_email_change(token)
            flash(f"Your email address is now {new_email}.", "success")
            return redirect(
                url_for("accounts.account" if current_user.is_authenticated else "accounts.login")
            )
    except LinkError as error:
        return _bad_link(error)
    return render_template("accounts/confirm_email.html", form=form, new_email=new_email)


@bp.context_processor
def _password_rules() -> dict[str, int]:
    return {"min_password": MIN_PASSWORD}
