"""A letter on a full page, laid out for a window envelope: what the office printer prints and
what the end-of-day export's letters.pdf holds (``LetterLayout`` draws both).

First page, top to bottom: the date in the letter's language; the recipient's address where
the envelope's window shows it wherever the folded page settles (``geometry``); the salutation
and body, starting below every window position; the closing, the drawn signature if there is
one (else room to sign by pen), and the typed signature lines. A long letter flows onto more
pages, numbered "2/3", rather than shrinking below a readable size. In the margin, fold marks;
in the footer of the first page, the postage-free note where it applies.

The visitor's words are set as the language wants them (``kiosk.domain.typography``) and made
drawable with the embedded font (``TextCleaner``); nothing else about them changes.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from kiosk.delivery.paper.fonts import FAMILY, TextCleaner, codepoints, start_pdf, typeface
from kiosk.delivery.paper.geometry import (
    ENVELOPE_FOR,
    PAPER_SIZES,
    WINDOW_ENVELOPES,
    Paper,
    WindowEnvelope,
)
from kiosk.domain.typography import typeset
from kiosk.i18n import long_date, tr

if TYPE_CHECKING:
    from datetime import datetime

    from fpdf import FPDF

    from kiosk.domain.letter import Letter

log = logging.getLogger(__name__)

PT = 0.3528  # mm per point
BODY_SIZE = 11.0  # points
READABLE = 10.5  # a full letter's body never gets smaller than this
LEADING = 1.35  # line height per font size, for the body
ADDRESS_SIZES = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0)  # 8 pt: the smallest DIN 5008 allows
ADDRESS_LEADING = 1.2
LEFT, RIGHT, TOP = 25.0, 20.0, 25.0  # margins (DIN 5008's, close to a US business letter's)
BOTTOM = 22.0  # the body stops here above the bottom edge; the footer sits below it
DATE_Y = 30.0
SIGNATURE_MAX = (70.0, 20.0)  # width, height of a drawn signature
PEN_SPACE = 14.0  # room left to sign by hand when nothing was drawn
FOOTER_SIZE = 7.5


@dataclass(frozen=True)
class LetterPage:
    """A letter as it goes on paper: every text as it will be shown, before cleaning."""

    language: str
    dateline: str
    address_lines: tuple[str, ...]
    salutation: str
    body: str
    closing: str
    signature_lines: tuple[str, ...]
    drawing: bytes | None = None  # PNG of a drawn signature
    postage_free: bool = False


def dateline(when: datetime, lang: str) -> str:
    """The date written on a letter, in its language, on the kiosk's local calendar."""
    return tr("exports.dateline", lang, date=long_date(when.astimezone().date(), lang))


def page_of(letter: Letter, written: datetime) -> LetterPage:
    return LetterPage(
        language=letter.language, dateline=dateline(written, letter.language),
        address_lines=tuple(letter.address_lines), salutation=letter.salutation,
        body=letter.body, closing=letter.closing,
        signature_lines=tuple(letter.signature_lines), drawing=letter.signer.drawing,
        postage_free=letter.postage_free)


def full_letter_pdf(letters: Sequence[tuple[Letter, datetime]], *, paper: Paper,
                    title: str) -> bytes:
    """Each letter (with when it was written) from a new page, on ``paper``, laid out for its
    window envelope (#10 for Letter, DL for A4). Raises FontMissing without the font, and
    ValueError for no letters (an empty document is never what a printer should get)."""
    if not letters:
        raise ValueError("full_letter_pdf needs at least one letter")
    lang = letters[0][0].language
    face = typeface(lang)
    pdf = start_pdf(face, PAPER_SIZES[paper], title=title)
    layout = LetterLayout(pdf, TextCleaner(codepoints(face.regular)), paper)
    for letter, written in letters:
        layout.draw(page_of(letter, written))
    return bytes(pdf.output())


def address_overflows(addresses: Sequence[Sequence[str]], paper: Paper) -> list[float]:
    """For each address, how many mm of it a window envelope would hide (0: all shows)."""
    face = typeface()
    pdf = start_pdf(face, PAPER_SIZES[paper], title="")
    layout = LetterLayout(pdf, TextCleaner(codepoints(face.regular)), paper)
    pdf.add_page()  # fpdf2 measures text on a page
    return [layout.address_overflow(lines) for lines in addresses]


class LetterLayout:
    """Draws letters into ``pdf``, each from a new page.

    ``smallest``: the body may shrink to this size to keep the letter on one page, and past it
    flows on at the full size (the export asks for 7.5 pt: its letters go one to a page).
    ``pen_space``: room left under the closing to sign by hand when nothing was drawn.
    """

    def __init__(self, pdf: FPDF, clean: TextCleaner, paper: Paper, *,
                 smallest: float = READABLE, pen_space: float = PEN_SPACE):
        self.pdf, self.clean, self.smallest, self.pen_space = pdf, clean, smallest, pen_space
        self.envelope: WindowEnvelope = WINDOW_ENVELOPES[ENVELOPE_FOR[paper]]
        self.width = PAPER_SIZES[paper][0] - LEFT - RIGHT
        pdf.set_margins(LEFT, TOP, RIGHT)
        pdf.set_auto_page_break(True, margin=BOTTOM)

    def draw(self, page: LetterPage) -> int:
        """Lay out one letter; returns how many pages it took."""
        pdf, lang = self.pdf, page.language
        pdf.add_page()
        first = pdf.page
        self._fold_marks()
        self._block(LEFT, DATE_Y, self.width, BODY_SIZE, LEADING, self.clean(page.dateline))
        self._address(page.address_lines)
        text = self._set(f"{page.salutation}\n\n{page.body}", lang)
        closing = self._set(page.closing, lang)
        signature = self._set("\n".join(page.signature_lines), lang)
        picture = _picture(page.drawing)
        size = self._body_size(text, closing, signature, picture)
        self._block(LEFT, self.envelope.text_top, self.width, size, LEADING, text)
        self._signature(size, closing, signature, page.drawing if picture else None, picture)
        last = pdf.page
        self._footers(first, last, page)
        return last - first + 1

    # --- the parts --------------------------------------------------------------------------

    def _set(self, text: str, lang: str) -> str:
        """Cleaned first (what the font cannot draw goes), then typeset (the spaces it adds are
        in the font), so a removed emoji leaves no stray space before a "!"."""
        return typeset(self.clean(text), lang)

    def _fold_marks(self) -> None:
        # Short ticks in the margin, where staff fold so that the address lands in the window.
        self.pdf.set_line_width(0.2)
        self.pdf.set_draw_color(0)
        for y in self.envelope.folds:
            self.pdf.line(4, y, 9, y)

    def _block(self, x: float, y: float, width: float, size: float, leading: float,
               text: str) -> None:
        from fpdf.enums import XPos, YPos

        self.pdf.set_font(FAMILY, "", size)
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(width, size * PT * leading, text=text, align="L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _lines(self, text: str, width: float, size: float) -> int:
        self.pdf.set_font(FAMILY, "", size)
        # output="LINES" returns the list of lines alone (fpdf2 types every output mode).
        return len(cast(list[str], self.pdf.multi_cell(width, text=text, dry_run=True,
                                                       output="LINES")))

    def _address(self, lines: Sequence[str]) -> None:
        """The largest size at which the address, its long lines wrapped, fits the safe area;
        past the smallest it may rise into the low window. Bottom-aligned, so the town and
        postal code are always the lines shown."""
        box = self.envelope.address
        text = self.clean("\n".join(lines))
        size, height = self._address_size(text)
        top = max(box.bottom - height, self.envelope.address_stretch_top)
        self._block(box.x, top, box.w, size, ADDRESS_LEADING, text)

    def _address_size(self, text: str) -> tuple[float, float]:
        """The address's font size and the height it takes at that size."""
        box = self.envelope.address
        size = ADDRESS_SIZES[-1]
        for candidate in ADDRESS_SIZES:
            if self._lines(text, box.w, candidate) * candidate * PT * ADDRESS_LEADING <= box.h:
                size = candidate
                break
        return size, self._lines(text, box.w, size) * size * PT * ADDRESS_LEADING

    def address_overflow(self, lines: Sequence[str]) -> float:
        """How many mm of this address would fall below the envelope's window (0: it fits)."""
        box = self.envelope.address
        _size, height = self._address_size(self.clean("\n".join(lines)))
        return max(0.0, self.envelope.address_stretch_top + height - box.bottom)

    def _body_size(self, text: str, closing: str, signature: str,
                   picture: tuple[float, float] | None) -> float:
        """The largest size from BODY_SIZE down to ``smallest`` at which the whole letter fits
        its first page; BODY_SIZE if none does (it flows on, readable)."""
        room = self.pdf.h - BOTTOM - self.envelope.text_top
        size = BODY_SIZE
        while size >= self.smallest - 0.01:
            lines = self._lines(text, self.width, size) + 1 + self._lines(closing, self.width, size)
            lines += self._lines(signature, self.width, size)
            needed = lines * size * PT * LEADING + self._signing_room(picture)
            if needed <= room - 0.5:  # rounding must not spill a line
                return size
            size -= 0.5
        return BODY_SIZE

    def _signing_room(self, picture: tuple[float, float] | None) -> float:
        return picture[1] + 3.0 if picture else self.pen_space

    def _signature(self, size: float, closing: str, signature: str, drawing: bytes | None,
                   picture: tuple[float, float] | None) -> None:
        """The closing, the signature and the name under it, kept together on one page."""
        pdf, lh = self.pdf, size * PT * LEADING
        lines = self._lines(closing, self.width, size) + self._lines(signature, self.width, size)
        needed = lh + lines * lh + self._signing_room(picture)
        y = pdf.get_y() + lh
        if y + needed > pdf.h - BOTTOM:
            pdf.add_page()
            y = TOP
        self._block(LEFT, y, self.width, size, LEADING, closing)
        y = pdf.get_y()
        if drawing is not None and picture is not None:
            try:
                pdf.image(io.BytesIO(drawing), x=LEFT, y=y + 1.5, w=picture[0], h=picture[1])
            except Exception as e:  # a PDF without the picture beats no letter at all
                log.warning("drawn signature left out: %s", type(e).__name__)
        self._block(LEFT, y + self._signing_room(picture), self.width, size, LEADING, signature)

    def _footers(self, first: int, last: int, page: LetterPage) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "", FOOTER_SIZE)
        pdf.set_text_color(90)
        pdf.set_auto_page_break(False)  # the footer sits below where the body breaks
        for number in range(first, last + 1):
            pdf.page = number
            if number == first and page.postage_free:
                note = self.clean(typeset(tr("paper.postage_free", page.language),
                                          page.language))
                pdf.set_xy(LEFT, pdf.h - 17.5)
                pdf.multi_cell(self.width - 15, FOOTER_SIZE * PT * 1.2, text=note, align="L")
            if last > first:
                mark = f"{number - first + 1}/{last - first + 1}"
                pdf.set_font(FAMILY, "", 9)
                pdf.text(pdf.w - RIGHT - pdf.get_string_width(mark), pdf.h - 10, mark)
                pdf.set_font(FAMILY, "", FOOTER_SIZE)
        pdf.page = last
        pdf.set_text_color(0)
        pdf.set_auto_page_break(True, margin=BOTTOM)


def _picture(png: bytes | None) -> tuple[float, float] | None:
    """The drawn signature's size on paper, aspect kept, at most SIGNATURE_MAX; None when
    there is none or it cannot be read (logged: the letter prints without it)."""
    if not png:
        return None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(png)) as img:
            img.load()
            w_px, h_px = img.size
    except Exception as e:  # damaged, not a PNG, too large to open: the letter still prints
        log.warning("drawn signature cannot be read, left out: %s", type(e).__name__)
        return None
    if w_px <= 0 or h_px <= 0:
        return None
    max_w, max_h = SIGNATURE_MAX
    scale = min(max_w / w_px, max_h / h_px)
    return w_px * scale, h_px * scale
