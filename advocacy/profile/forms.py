"""The member's address form: the name they sign letters with, and where they live."""

from __future__ import annotations

from advocacy.letters.forms import ActionForm


class AddressForm(ActionForm):
    """The action page's fields and checks (names, street address, city, ZIP; control
    characters refused beside each field) without the email, which is the account's, and the
    opt-in, which each campaign asks for itself. The state comes from the directory or the
    ZIP, as for signatures."""

    email = None
    opt_in = None
