"""The sign form. Its field names are a public contract: organisations embed the form."""

from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from advocacy.core.forms import SafeForm, SupporterForm, strip
from advocacy.petitions.services import CONSENT_TEXT

COMMENT_MAX = 500


def one_newline(value: object) -> object:
    """Browsers send a textarea's line breaks as CRLF: count (and store) each as one character,
    as the live counter on the page does."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class SignForm(SupporterForm):
    class Meta:
        # The sign form carries its own double-submit token (core/csrf.py), checked by the
        # view, so that the cached petition page needs no session for a first visit.
        csrf = False

    address = StringField(
        "Street address (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=200, message="Keep the address under 200 characters.")],
    )
    comment = TextAreaField(
        "Why are you signing? (optional)",
        filters=[one_newline, strip],
        validators=[
            Optional(),
            Length(max=COMMENT_MAX, message=f"Keep your comment to {COMMENT_MAX} characters."),
        ],
        # No maxlength attribute (WTForms would add one from Length): it cuts a long paste
        # off silently. static/js/counter.js counts down from data-maxlength instead.
        render_kw={"data-maxlength": COMMENT_MAX, "maxlength": False},
    )
    public = BooleanField("Show my name and comment on this petition", default=True)
    opt_in = BooleanField(CONSENT_TEXT, default=False)  # stored as the consent given


class ConfirmForm(SafeForm):
    """The button on the confirmation page: a POST, so link scanners never confirm."""


class DistrictsForm(SafeForm):
    """The signer's pick among candidate districts; the radio fields are read by name."""
