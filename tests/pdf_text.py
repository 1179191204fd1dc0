"""A small PDF text reader for tests (no PDF library is a dependency): enough of ISO 32000 to read
back what fpdf2 writes, the way real readers do it.

It inflates FlateDecode streams, maps each font resource to its ToUnicode CMap (Type0 fonts with
two-byte codes) or to Windows-1252 (simple fonts such as Helvetica), and decodes the strings of
every ``Tj`` and ``TJ`` in the page content streams. Each text object (BT ... ET) becomes a line.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*)\r?\nendstream", re.S)
_FONT_RESOURCE = re.compile(rb"/(F\d+) (\d+) 0 R")
_TOKEN = re.compile(
    rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)|<[0-9A-Fa-f\s]*>|\[|\]|/?[^\s()<>\[\]/]+"
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        stream = _STREAM.search(body)
        head = body[: stream.start()] if stream else body
        content = stream.group(1) if stream else None
        if content is not None and b"/FlateDecode" in head:
            content = zlib.decompress(content)
        found[int(match.group(1))] = (head, content)
    return found


def _hex(text: bytes) -> int:
    return int(text.strip(b"<>"), 16)


def _unicode_map(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        pattern = rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>"
        for low, high, start in re.findall(pattern, section):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def _literal(token: bytes) -> bytes:
    out, body, index = bytearray(), token[1:-1], 0
    while index < len(body):
        char = body[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        following = body[index + 1 : index + 2]
        octal = re.match(rb"[0-7]{1,3}", body[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(), 8))
            index += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(following, following)
            index += 2
    return bytes(out)


def _decode(raw: bytes, mapping: dict[int, str] | None) -> str:
    if mapping is None:
        return raw.decode("cp1252", errors="replace")
    codes = (int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2))
    return "".join(mapping.get(code, "\ufffd") for code in codes)


def pdf_text(data: bytes) -> str:
    """The text of every page, one line per text object."""
    assert data.startswith(b"%PDF-"), "not a PDF"
    objects = _objects(data)
    fonts: dict[bytes, dict[int, str] | None] = {}
    for head, _ in objects.values():
        for name, number in _FONT_RESOURCE.findall(head):
            font_head = objects[int(number)][0]
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font_head)
            cmap = objects[int(to_unicode.group(1))][1] if to_unicode else None
            fonts[name] = _unicode_map(cmap) if cmap is not None else None
    lines: list[str] = []
    for head, content in objects.values():
        if content is None or b"/Length1" in head or not re.search(rb"\bBT\b", content):
            continue
        mapping: dict[int, str] | None = None
        current: list[str] = []
        operands: list[bytes] = []
        for token in _TOKEN.findall(content):
            if token == b"BT":
                current = []
            elif token == b"ET":
                lines.append("".join(current))
            elif token == b"Tf":
                mapping = fonts.get(operands[-2].lstrip(b"/"))
            elif token in (b"Tj", b"TJ"):
                current += [_decode(_string(o), mapping) for o in operands if _is_string(o)]
            if not token.startswith((b"(", b"<", b"[", b"]", b"/")) and not _number(token):
                operands = [] if token not in (b"[", b"]") else operands
            else:
                operands.append(token)
    return "\n".join(lines)


def _is_string(token: bytes) -> bool:
    return token.startswith((b"(", b"<"))


def _string(token: bytes) -> bytes:
    if token.startswith(b"<"):
        return bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
    return _literal(token)


def _number(token: bytes) -> bool:
    return re.fullmatch(rb"-?\d*\.?\d+", token) is not None


def words(data: bytes) -> str:
    """The PDF's text with all white space (line breaks included) as single spaces."""
    return " ".join(pdf_text(data).split())
