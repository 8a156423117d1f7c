"""The font every PDF of the kiosk embeds, and the cleaner that makes text drawable with it.

DejaVu Sans has every French letter, the typographic spaces and quotes, and is on every Debian
system with ``fonts-dejavu-core``; what it cannot draw (emoji, other scripts) is changed on
purpose by ``TextCleaner`` (the rule every output shares: ``kiosk.domain.output_text``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain.output_text import choose, clean_for_output
from kiosk.i18n import tr

if TYPE_CHECKING:
    from datetime import datetime

    from fpdf import FPDF

FONT_FILE, BOLD_FONT_FILE = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
FONT_PACKAGE = "fonts-dejavu-core"
# Debian/Ubuntu (fonts-dejavu-core) first; then where Fedora and Arch put the same files.
FONT_DIRS: tuple[Path, ...] = tuple(Path("/usr/share/fonts", d) for d in (
    "truetype/dejavu", "dejavu-sans-fonts", "dejavu", "TTF"))
FAMILY = "dejavu"  # the name the PDFs give it


class FontMissing(Exception):
    """No PDF can be made here: the font is not installed. The message says how to install it."""


@dataclass(frozen=True)
class Typeface:
    regular: Path
    bold: Path | None  # None: headings are drawn in the regular face


def find_font(lang: str = "en", dirs: Sequence[Path] | None = None) -> tuple[Path, Path | None]:
    """DejaVu Sans (and its bold, if there): a font with every French letter, embedded."""
    dirs = FONT_DIRS if dirs is None else tuple(dirs)
    for d in dirs:
        if (d / FONT_FILE).is_file():
            bold = d / BOLD_FONT_FILE
            return d / FONT_FILE, bold if bold.is_file() else None
    places = ", ".join(str(d) for d in dirs)
    raise FontMissing(tr("paper.font_missing", lang, places=places, package=FONT_PACKAGE))


def typeface(lang: str = "en", dirs: Sequence[Path] | None = None) -> Typeface:
    return Typeface(*find_font(lang, dirs))


@cache
def codepoints(font: Path) -> frozenset[int]:
    """Every character the font file can draw."""
    from fontTools.ttLib import TTFont  # comes with fpdf2

    return frozenset(TTFont(font, lazy=True).getBestCmap())


@dataclass
class TextCleaner:
    """Makes visitor text drawable with the embedded font, every change on purpose (the rule
    every output shares: ``kiosk.domain.output_text``), counting what it changed."""

    drawable: frozenset[int]
    dropped: int = 0
    replaced: int = 0

    def __post_init__(self) -> None:
        drawable = self.drawable
        self._choose = lru_cache(maxsize=4096)(
            lambda ch: choose(ch, lambda c: all(ord(x) in drawable for x in c)))

    def __call__(self, text: str) -> str:
        done = clean_for_output(text, self._choose, tab="    ")
        self.dropped += done.removed
        self.replaced += done.replaced
        return done.text


def start_pdf(face: Typeface, size: tuple[float, float], *, title: str,
              created: datetime | None = None) -> FPDF:
    """An empty document of pages ``size`` (width, height in mm) with the font registered.

    The page size is given exactly (portrait or landscape as the numbers say): an envelope is
    a landscape page of its own size, which is how printers expect it.
    """
    from datetime import UTC

    from fpdf import FPDF

    # fontTools logs every subset glyph at INFO: noise for staff, and a trace of what was written.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    width, height = size
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.add_font(FAMILY, "", str(face.regular))
    if face.bold:
        pdf.add_font(FAMILY, "B", str(face.bold))
    pdf.set_title(title)
    pdf.set_creator("Letter Kiosk")
    if created is not None:
        pdf.set_creation_date(created.astimezone(UTC))
    pdf.set_font(FAMILY, "", 11)
    return pdf
