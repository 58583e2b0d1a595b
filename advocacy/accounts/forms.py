"""The account forms: login, sign-up, the emailed-link requests, and the account page's."""

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, InputRequired, Length

from advocacy.accounts.passwords import MAX_PASSWORD, MIN_PASSWORD
from advocacy.core.forms import SafeForm, person_name, strip

_EMAIL_SHAPE = Email(
    "Enter a valid email address, such as name@example.org.", check_deliverability=False
)
# The rules (length, common passwords) are the services' (passwords.py); the form only
# bounds the input and says what is needed before anything is hashed.
_NEW_PASSWORD = [
    InputRequired("Choose a password."),
    Length(
        min=MIN_PASSWORD,
        max=MAX_PASSWORD,
        message=f"Passwords need {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
    ),
]


def _email_field(label: str = "Email") -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[InputRequired("Enter your email address."), Length(max=254), _EMAIL_SHAPE],
    )


class LoginForm(SafeForm):
    email = EmailField(
        "Email",
        filters=[strip],
        # No address-syntax check here: it could only lock out an account whose address an
        # admin created; a wrong address simply fails to authenticate.
        validators=[InputRequired("Enter your email."), Length(max=254)],
    )
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])
    remember = BooleanField("Keep me logged in")


class SignupForm(SafeForm):
    name = StringField(
        "Your name",
        filters=[strip],
        validators=[InputRequired("Enter your name."), Length(max=200), person_name],
    )
    email = _email_field()
    password = PasswordField("Password", validators=_NEW_PASSWORD)


class EmailOnlyForm(SafeForm):
    """Resend the confirmation link; ask for a password reset link."""

    email = _email_field()


class ResetPasswordForm(SafeForm):
    password = PasswordField("New password", validators=_NEW_PASSWORD)


class ChangePasswordForm(SafeForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")]
    )
    new_password = PasswordField("New password", validators=_NEW_PASSWORD)


class ChangeEmailForm(SafeForm):
    email = _email_field("New email address")
    password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")]
    )
