"""Login form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import Email, InputRequired

from advocacy.core.forms import strip


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[InputRequired("Enter your email."), Email(check_deliverability=False)],
    )
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])
    remember = BooleanField("Keep me logged in")
