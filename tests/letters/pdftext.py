"""Just enough PDF reading for the tests (pypdf is not installed): pages, media boxes,
metadata and the text each page shows, decoded through the fonts' ToUnicode maps."""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)endstream$", re.S)
_REF = rb"(\d+) 0 R"


@dataclass
class Page:
    media_box: list[float]
    text: str
    fonts: list[str] = field(default_factory=list)  # the base fonts its text is set in


@dataclass
class Document:
    pages: list[Page]
    info: dict[str, str]

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        stream = _STREAM.match(body)
        if stream:
            head, raw = stream.group(1), stream.group(2)
            length = re.search(rb"/Length (\d+)", head)
            assert length
            raw = raw[: int(length.group(1))]
            if b"/ASCII85Decode" in head:
                raw = base64.a85decode(raw.strip().removeprefix(b"<~").removesuffix(b"~>"))
            if b"/FlateDecode" in head:
                raw = zlib.decompress(raw)
            objects[int(match.group(1))] = (head, raw)
        else:
            objects[int(match.group(1))] = (body, None)
    return objects


def _string(raw: bytes) -> bytes:
    """A PDF literal string's bytes, escapes resolved (the parentheses are stripped)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == 0x5C:  # backslash
            nxt = raw[i + 1 : i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
                assert digits
                out.append(int(digits.group(0), 8))
                i += 1 + len(digits.group(0))
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(char)
        i += 1
    return bytes(out)


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = ord(bytes.fromhex(dst.decode()).decode("utf-16-be"))
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


_TOKENS = re.compile(
    rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf|\((?:\\.|[^\\)])*\)|\bT\*|\bTd\b|\bET\b", re.S
)


def read(data: bytes) -> Document:
    objects = _objects(data)
    fonts: dict[int, tuple[str, dict[int, str] | None]] = {}
    for number, (head, _) in objects.items():
        if b"/Type /Font" in head:
            base = re.search(rb"/BaseFont /(\S+)", head)
            to_unicode = re.search(rb"/ToUnicode " + _REF, head)
            cmap = _cmap(objects[int(to_unicode.group(1))][1] or b"") if to_unicode else None
            fonts[number] = (base.group(1).decode() if base else "?", cmap)
    pages = []
    for head, _ in objects.values():
        if not re.search(rb"/Type /Page\b", head):
            continue
        box = re.search(rb"/MediaBox \[\s*([\d.\s]+)\]", head)
        assert box
        resources = re.search(rb"/Font (\d+) 0 R", head)
        names: dict[str, int] = {}
        if resources:
            font_dict = objects[int(resources.group(1))][0]
            for name, ref in re.findall(rb"/(\S+) " + _REF, font_dict):
                names[name.decode()] = int(ref)
        contents = re.search(rb"/Contents " + _REF, head)
        assert contents
        stream = objects[int(contents.group(1))][1] or b""
        text, used, current = [], [], None
        for token in _TOKENS.finditer(stream):
            if token.group(1):
                current = fonts[names[token.group(1).decode()]]
                continue
            raw = token.group(0)
            if raw in (b"T*", b"Td", b"ET"):
                text.append("\n")
                continue
            assert current is not None
            used.append(current[0])
            codes = _string(raw[1:-1])
            cmap = current[1]
            text.append(
                "".join(cmap.get(c, "\ufffd") for c in codes) if cmap else codes.decode("cp1252")
            )
        lines = [" ".join(line.split()) for line in "".join(text).split("\n")]
        pages.append(
            Page(
                media_box=[float(v) for v in box.group(1).split()],
                text="\n".join(line for line in lines if line),
                fonts=sorted(set(used)),
            )
        )
    info: dict[str, str] = {}
    trailer_info = re.search(rb"/Info " + _REF, data)
    if trailer_info:
        head = objects[int(trailer_info.group(1))][0]
        for key, value in re.findall(rb"/(\w+) \(((?:\\.|[^\\)])*)\)", head):
            info[key.decode()] = _decode_text(_string(value))
    return Document(pages=pages, info=info)


# PDFDocEncoding where it differs from Latin-1 (PDF 1.7, annex D.2), for the Info strings.
_PDF_DOC = dict(zip(range(0x80, 0x9F), "•†‡…—–ƒ⁄‹›−‰„“”‘’‚™ﬁﬂŁŒŠŸŽıłœšž", strict=True)) | {
    0xA0: "€"
}


def _decode_text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return "".join(_PDF_DOC.get(b, chr(b)) for b in raw)
