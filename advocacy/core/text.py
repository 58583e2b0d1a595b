"""Text safety: Markdown to sanitised HTML, slugs, and checks for spreadsheet-safe names."""

from __future__ import annotations

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt

# Raw HTML in organizer Markdown is dropped by the parser; nh3 then enforces an allow-list
# on what Markdown itself produced, so no script, event handler or javascript: URL survives.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
_markdown.enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}


def render_markdown(source: str | None) -> str:
    """Render organizer Markdown to HTML that is safe to show on public pages."""
    if not source:
        return ""
    html = _markdown.render(source)
    # Headings start at h2: the page title is the only h1.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def markdown_to_text(source: str | None, limit: int = 200) -> str:
    """Plain text of rendered Markdown, for meta descriptions."""
    text = nh3.clean(render_markdown(source), tags=set())
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def slugify(value: str, max_length: int = 80) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^a-zA-Z0-9]+", "-", value).strip("-").lower()
    return value[:max_length].rstrip("-") or "petition"


_LINK = re.compile(r"(https?://|www\.|\b[\w-]+\.(com|net|org|io|ru|info|xyz|biz|co)\b)", re.I)
FORMULA_PREFIXES = ("=", "+", "-", "@")


def name_problem(value: str) -> str | None:
    """Why a person's name cannot be accepted, or None when it is fine."""
    if value.startswith(FORMULA_PREFIXES):
        return "Names cannot start with =, +, - or @."
    if _LINK.search(value) or "/" in value or "<" in value or ">" in value:
        return "Names cannot contain links or markup."
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        return "Names cannot contain control characters."
    return None


def normalise_email(value: str) -> str:
    return value.strip().casefold()
