"""Share links for a petition, each carrying a ``ref`` that names the channel and the sharer."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask import url_for

from advocacy.petitions.models import Petition, Signature

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if n == 0:
            return out


@dataclass(frozen=True)
class ShareLink:
    channel: str
    label: str
    href: str
    url: str  # the petition URL with its ref, as shared


def share_ref(channel: str, signature: Signature | None) -> str:
    """``x.1k9``: the channel, then the sharing signature's id in base 36, when known."""
    return f"{channel}.{_base36(signature.id)}" if signature else channel


def share_links(petition: Petition, signature: Signature | None = None) -> list[ShareLink]:
    def url(channel: str) -> str:
        ref = share_ref(channel, signature)
        return url_for("petitions.show", slug=petition.slug, ref=ref, _external=True)

    text = f"I signed “{petition.title}”. Will you sign too?"
    links = [
        ShareLink(
            "email",
            "Email",
            "mailto:?"
            + urlencode(
                {"subject": petition.title, "body": f"{text}\n\n{url('email')}"}, quote_via=quote
            ),
            url("email"),
        ),
        ShareLink(
            "x",
            "X",
            "https://x.com/intent/post?" + urlencode({"text": text, "url": url("x")}),
            url("x"),
        ),
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url("facebook")}),
            url("facebook"),
        ),
        ShareLink(
            "whatsapp",
            "WhatsApp",
            "https://wa.me/?" + urlencode({"text": f"{text} {url('whatsapp')}"}),
            url("whatsapp"),
        ),
    ]
    links.append(ShareLink("copy", "Copy link", url("copy"), url("copy")))
    return links
