"""Login form."""

from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from advocacy.core.forms import SafeForm, strip


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
