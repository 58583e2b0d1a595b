"""A small typesetter for long, plain PDFs: lines of text set from the top of the page down on
ReportLab's canvas, a new page when the next block does not fit, a footer on every page.

A petition's packets are thousands of documents in one build, most of them a cover letter, the
petition's text and a few dozen table rows. Platypus paragraphs (markup parsed, every line
measured and drawn through the text object) cost about ten milliseconds of each such document;
this sets the same lines with raw text operators in one text object a page. Wrapping is
measured with the font's widths (``stringWidth``, C with ``rl_accel``) and cached for texts
every document repeats, such as the petition's own. Text is plain: no markup is interpreted,
control characters are dropped by the caller.

Glyphs still go through the font's subset assignment (``TTFont.splitString``), so the subset
embedded in each document holds exactly what it shows; ``Encoder`` only short-cuts the
characters a document has already used, through ``str.translate``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

Colour = tuple[float, float, float]
BLACK: Colour = (0.0, 0.0, 0.0)
_UNKNOWN = 0x100  # translates a character to one Latin-1 cannot encode: the slow path


class Encoder:
    """Text → (subset, bytes) chunks of one TrueType font in one document."""

    def __init__(self, font_name: str, doc: Any, common: str = ""):
        self.font = getFont(font_name)
        self.doc = doc
        # The document's subset state, with ``common`` characters given their codes first:
        # documents that differ only in where those appear then embed the same subset.
        self.font.splitString(common, doc)
        self._table: dict[int, int] | None = None
        self._names: dict[int, str] = {}

    def name(self, subset: int) -> str:
        """The PDF resource name of a subset ("/F1+0")."""
        name = self._names.get(subset)
        if name is None:
            name = self._names[subset] = self.font.getSubsetInternalName(subset, self.doc)
        return name

    def chunks(self, text: str) -> list[tuple[int, bytes]]:
        table = self._table if self._table is not None else self._build()
        try:
            return [(0, text.translate(table).encode("latin-1"))]
        except UnicodeEncodeError:
            # A character this document has not used yet (or one in a later subset): ReportLab
            # assigns it a code, and the table is rebuilt on the next call.
            self._table = None
            return list(self.font.splitString(text, self.doc))

    def table(self) -> dict[int, int]:
        """The ``str.translate`` table of the characters assigned so far: a text it encodes
        in Latin-1 is the one chunk (subset 0) ``chunks`` would give."""
        return self._table if self._table is not None else self._build()

    def forget(self) -> None:
        """A text needs ReportLab's path (a new character): the table is rebuilt after it."""
        self._table = None

    def _build(self) -> dict[int, int]:
        # ReportLab's own map of the characters used so far (unicode → code; codes below 256
        # are subset 0). Anything else translates to a character Latin-1 refuses.
        table = dict.fromkeys(range(256), _UNKNOWN)
        for char, code in self.font.state[self.doc].assignments.items():
            if code < 256:
                table[char] = code
        table[0xA0] = table[32]  # ReportLab sets a no-break space as a space
        self._table = table
        return table


def _split_word(word: str, font: str, size: float, width: float) -> list[str]:
    """A word wider than the line, cut into pieces that fit (a URL, a long name)."""
    pieces, start = [], 0
    while start < len(word):
        end = start + 1
        while end < len(word) and stringWidth(word[start : end + 1], font, size) <= width:
            end += 1
        pieces.append(word[start:end])
        start = end
    return pieces


_WORD_WIDTHS: dict[str, dict[str, float]] = {}  # font → word → width at 1,000 points
_WORDS_KEPT = 50_000  # per font: words recur ("the", "residency"), names mostly do not


def _word_width(word: str, font: str, size: float) -> float:
    """``stringWidth`` of one word, remembered: wrapping measures every word of every
    comment, and most words of a language are a few hundred words."""
    widths = _WORD_WIDTHS.setdefault(font, {})
    em = widths.get(word)
    if em is None:
        if len(widths) >= _WORDS_KEPT:
            widths.clear()
        em = widths[word] = stringWidth(word, font, 1000)
    return em * size / 1000


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` (one line of words; runs of white space count as one) broken into lines no
    wider than ``width`` points; a word wider than a line is cut."""
    lines: list[str] = []
    space = _word_width(" ", font, size)
    current: list[str] = []
    used = 0.0
    known = _WORD_WIDTHS[font]  # _word_width's, looked up here first (one call less a word)
    for word in text.split():
        em = known.get(word)
        measure = _word_width(word, font, size) if em is None else em * size / 1000
        if measure > width:
            *whole, word = _split_word(word, font, size, width)
            if current:
                lines.append(" ".join(current))
            lines += whole
            current, used = [word], stringWidth(word, font, size)
        elif current and used + space + measure <= width:
            current.append(word)
            used += space + measure
        else:
            if current:
                lines.append(" ".join(current))
            current, used = [word], measure
    if current:
        lines.append(" ".join(current))
    return lines


@lru_cache(maxsize=1024)
def wrap_cached(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """``wrap`` for texts every document of a build repeats (the petition's paragraphs)."""
    return tuple(wrap(text, font, size, width))


class Typesetter:
    """Sets lines on a canvas, top to bottom, page after page.

    ``y`` is the top of the space left on the page; ``ensure(height)`` starts a new page when
    less than ``height`` is left (unless the page is still empty), so a block that must stay
    together asks for its height first. Text is buffered as operators and written when the
    page ends, with the rules drawn after it; ``footer(typesetter, page_number)`` adds the
    page's last lines first (with ``text_at``: its text object is the page's).
    """

    def __init__(
        self,
        canvas: Canvas,
        *,
        margin: float,
        footer: Callable[[Typesetter, int], None],
        fonts: tuple[str, ...],
        common: str = "",
    ):
        self.canvas = canvas
        width, height = canvas._pagesize
        self.left, self.right = margin, width - margin
        self.top, self.bottom = height - margin, margin
        self.y = self.top
        self.page = 1
        self._footer = footer
        doc = canvas._doc
        self._encoders = {name: Encoder(name, doc, common) for name in fonts}
        self._escape = escapePDF  # what canvas._escape calls, without the method
        self._text: list[str] = []
        self._rules: list[tuple[Colour, float, float, float, float]] = []
        self._font: tuple[str, int, float] | None = None
        self._colour: Colour = BLACK

    # --- space ------------------------------------------------------------------------------

    @property
    def width(self) -> float:
        return self.right - self.left

    def room(self) -> float:
        return self.y - self.bottom

    def ensure(self, height: float) -> None:
        if height > self.room() and self.y < self.top:
            self.new_page()

    def skip(self, height: float) -> None:
        """White space; none at the top of a page."""
        if self.y < self.top:
            self.y = max(self.bottom, self.y - height)

    def new_page(self) -> None:
        self._footer(self, self.page)
        self._flush()
        self.canvas.showPage()
        self.page += 1
        self.y = self.top

    def finish(self) -> None:
        """End the last page (the caller saves the canvas)."""
        self._footer(self, self.page)
        self._flush()
        self.canvas.showPage()

    # --- drawing ----------------------------------------------------------------------------

    def text_at(
        self, x: float, baseline: float, text: str, font: str, size: float,
        colour: Colour = BLACK,
    ) -> None:  # fmt: skip
        """One line of text at a position (points from the page's bottom left)."""
        if not text:
            return
        out = self._text
        if colour != self._colour:
            out.append("{:.3f} {:.3f} {:.3f} rg".format(*colour))
            self._colour = colour
        out.append(f"1 0 0 1 {x:.2f} {baseline:.2f} Tm")
        encoder = self._encoders[font]
        for subset, chunk in encoder.chunks(text):
            if self._font != (font, subset, size):
                out.append(f"{encoder.name(subset)} {size} Tf")
                self._font = (font, subset, size)
            out.append(f"({self._escape(chunk)}) Tj")

    def row(
        self, columns: Iterable[tuple[float, list[str]]], font: str, size: float,
        leading: float, first: float,
    ) -> None:  # fmt: skip
        """A table row: each column's lines set down from the baseline ``first``, at its
        ``x``; what ``text_at`` would write, with its per-line work hoisted (a packet's table
        is most of what a large build sets)."""
        out = self._text
        if self._colour != BLACK:
            out.append("0.000 0.000 0.000 rg")
            self._colour = BLACK
        encoder = self._encoders[font]
        escape = self._escape
        current = (font, 0, size)
        for x, lines in columns:
            baseline = first
            for line in lines:
                # The fast path of Encoder.chunks, inline: rows set hundreds of thousands of lines.
                try:
                    raw = line.translate(encoder.table()).encode("latin-1") if line else None
                except UnicodeEncodeError:
                    encoder.forget()
                    raw = None
                if raw is None:  # empty, or a character for ReportLab's own path
                    self.text_at(x, baseline, line, font, size)
                elif self._font == current:
                    out.append(f"1 0 0 1 {x:.2f} {baseline:.2f} Tm\n({escape(raw)}) Tj")
                else:
                    out.append(f"1 0 0 1 {x:.2f} {baseline:.2f} Tm")
                    out.append(f"{encoder.name(0)} {size} Tf")
                    out.append(f"({escape(raw)}) Tj")
                    self._font = current
                baseline -= leading

    def lines(
        self, lines: list[str] | tuple[str, ...], font: str, size: float, leading: float,
        *, colour: Colour = BLACK, x: float | None = None, keep: int = 2,
    ) -> None:  # fmt: skip
        """Lines one under the other, breaking to a new page between lines; the first
        ``keep`` lines stay together (no orphan at a page's foot)."""
        if not lines:
            return
        self.ensure(min(keep, len(lines)) * leading)
        left = self.left if x is None else x
        for line in lines:
            self.ensure(leading)
            # The baseline sits about a fifth of the leading above the line's foot.
            self.text_at(left, self.y - leading + (leading - size) * 0.5 + size * 0.2,
                         line, font, size, colour)  # fmt: skip
            self.y -= leading

    def paragraph(
        self, text: str, font: str, size: float, leading: float, *,
        after: float = 0.0, colour: Colour = BLACK, cached: bool = False, keep: int = 2,
    ) -> None:  # fmt: skip
        """A paragraph wrapped to the text width; ``\\n`` starts a new line in it."""
        fit = wrap_cached if cached else wrap
        lines: list[str] = []
        for part in text.split("\n"):
            lines += fit(part, font, size, self.width) or [""]
        self.lines(lines, font, size, leading, colour=colour, keep=keep)
        self.skip(after)

    def rule(self, x1: float, y1: float, x2: float, y2: float, colour: Colour) -> None:
        self._rules.append((colour, x1, y1, x2, y2))

    def _flush(self) -> None:
        if self._text:
            if self._colour != BLACK:
                self._text.append("0 0 0 rg")
            self.canvas.addLiteral("BT\n" + "\n".join(self._text) + "\nET")
            self._text = []
        if self._rules:
            ops, current = ["0.5 w"], None
            for colour, x1, y1, x2, y2 in self._rules:
                if colour != current:
                    ops.append("{:.3f} {:.3f} {:.3f} RG".format(*colour))
                    current = colour
                ops.append(f"{x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")
            self.canvas.addLiteral("q\n" + "\n".join(ops) + "\nQ")
            self._rules = []
        self._font, self._colour = None, BLACK
