"""The organizer's newsletter form: an update's subject and Markdown, and the key that makes
it send once."""

from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp

from advocacy.organize.forms import UpdateForm
from advocacy.petitions.updates import BODY_MAX


class NewsletterForm(UpdateForm):
    body = TextAreaField(
        "Newsletter",
        validators=[
            InputRequired("Write the newsletter."),
            Length(max=BODY_MAX, message=f"Keep the newsletter under {BODY_MAX:,} characters."),
        ],
    )
    request_key = HiddenField(
        validators=[Regexp(r"^[0-9a-f]{32}\Z", message="This form has expired: send it again.")]
    )
