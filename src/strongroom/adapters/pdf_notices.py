"""Notices as PDF, drawn with fpdf2 from the same blocks the Markdown and HTML come from.

The text is set in DejaVu Sans when the system has it (Debian's ``fonts-dejavu-core`` and most
Linux distributions ship it): a Unicode TrueType font, embedded as a subset with a ToUnicode map
so the text can be searched and copied. Without it the PDF falls back to the core Helvetica
font, which holds Windows-1252 only. Either way a character the font cannot show is printed as
``?`` (after trying its unaccented form, so "Ł" stays readable as "L"), and the notice says so
at its end: a name such as "Zoë & Søn" or "Łódź" never stops a notice from being drawn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TTFFont

from strongroom.core.incidents import Block

# Where distributions put DejaVu Sans: Debian and Ubuntu, Fedora, Arch, Alpine, openSUSE.
FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/truetype"),
)
_REGULAR, _BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
_CORE_ENCODING = "windows-1252"
_FAMILY = "notice"
SUBSTITUTE = "?"
SUBSTITUTION_NOTE = (
    "Some characters cannot be shown in this PDF's font and are printed as ?; "
    "the Markdown and HTML drafts hold the exact text."
)
_SIZES = {1: 16.0, 2: 13.0, 3: 11.5}  # heading level -> points
_BODY_SIZE = 10.5
_LINE = 5.5  # millimetres per body line
_BULLET_INDENT = 5.0


def find_unicode_font(dirs: Iterable[Path] = FONT_DIRS) -> tuple[Path, Path] | None:
    """DejaVu Sans and DejaVu Sans Bold from the first directory holding both, if any."""
    for directory in dirs:
        regular, bold = directory / _REGULAR, directory / _BOLD
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _Document(FPDF):
    """An A4 page with the notice's title and page numbers in the footer."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.family = "helvetica"
        self.footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.family, "", 8)
        self.cell(0, 8, f"{self.footer_text} - page {self.page_no()}/{{nb}}", align="C")


class _Text:
    """Makes text safe for the document's font, remembering whether anything was lost."""

    def __init__(self, fits: Callable[[str], bool]) -> None:
        self._fits = fits
        self.substituted = False

    def __call__(self, text: str) -> str:
        out: list[str] = []
        for char in text:
            if char in "\t\r\n":
                out.append(" ")
            elif self._fits(char):
                out.append(char)
            else:
                base = unicodedata.normalize("NFKD", char)
                kept = "".join(c for c in base if not unicodedata.combining(c) and self._fits(c))
                out.append(kept or SUBSTITUTE)
                self.substituted = True
        return "".join(out)


class FpdfNoticeRenderer:
    """Implements ``core.incidents.PdfRenderer`` with fpdf2 (no network, no files written)."""

    def __init__(self, *, font_dirs: Iterable[Path] = FONT_DIRS) -> None:
        self._font = find_unicode_font(font_dirs)

    @property
    def unicode(self) -> bool:
        """Whether a Unicode font was found (else Helvetica, Windows-1252 only)."""
        return self._font is not None

    def render(self, blocks: Sequence[Block], *, title: str) -> bytes:
        document = _Document()
        clean = _Text(self._set_up_fonts(document))
        document.footer_text = clean(title)
        document.set_title(title)  # metadata is UTF-16 in the PDF: any character will do
        document.set_creator("Strongroom")
        document.set_creation_date(datetime.now().astimezone())
        document.set_margins(20, 20, 20)
        document.set_auto_page_break(auto=True, margin=20)
        document.add_page()
        for block in blocks:
            _draw(document, block, clean)
        if clean.substituted:
            _draw(document, Block("paragraph", SUBSTITUTION_NOTE), clean)
        return bytes(document.output())

    def _set_up_fonts(self, document: _Document) -> Callable[[str], bool]:
        """Which characters the chosen font can show."""
        if self._font is None:
            document.core_fonts_encoding = _CORE_ENCODING
            return _encodable
        regular, bold = self._font
        document.add_font(_FAMILY, "", str(regular))
        document.add_font(_FAMILY, "B", str(bold))
        document.family = _FAMILY
        covered = _codepoints(document, _FAMILY) & _codepoints(document, _FAMILY + "B")
        return lambda char: ord(char) in covered


def _codepoints(document: FPDF, key: str) -> frozenset[int]:
    font = document.fonts[key]  # fpdf2's key: the family in lower case, then the style
    return frozenset(font.cmap) if isinstance(font, TTFFont) else frozenset()


def _encodable(char: str) -> bool:
    try:
        char.encode(_CORE_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def _draw(document: _Document, block: Block, clean: _Text) -> None:
    width, family = document.epw, document.family
    if block.kind == "heading":
        size = _SIZES.get(block.level, _SIZES[3])
        document.set_font(family, "B", size)
        document.ln(2 if block.level > 1 else 0)
        document.multi_cell(width, size * 0.5, clean(block.text), new_x="LMARGIN", new_y="NEXT")
        document.ln(1.5)
    elif block.kind == "paragraph":
        document.set_font(family, "", _BODY_SIZE)
        document.multi_cell(width, _LINE, clean(block.text), new_x="LMARGIN", new_y="NEXT")
        document.ln(2)
    else:
        document.set_font(family, "", _BODY_SIZE)
        for item in block.items:
            document.set_x(document.l_margin + _BULLET_INDENT)
            text = f"- {clean(item)}"
            document.multi_cell(width - _BULLET_INDENT, _LINE, text, new_x="LMARGIN", new_y="NEXT")
        document.ln(2)
