"""The account-deletion form: the password, and an explicit "yes, delete"."""

from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired

from advocacy.core.forms import SafeForm


class DeleteAccountForm(SafeForm):
    password = PasswordField(
        "Your password", validators=[InputRequired("Enter your password to confirm.")]
    )
    confirm = BooleanField(
        "I understand that my account is deleted for good and cannot be restored",
        validators=[DataRequired("Tick the box to confirm that you want your account deleted.")],
    )
